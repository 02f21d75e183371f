// Reads a Trino Gateway routing-rules file the way its FileBasedRoutingGroupSelector does: one
// rule per YAML document ({name, description, priority, condition, actions}), priority 0 when
// absent, then a stable sort by priority. Keeps each rule's line numbers for messages.
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments, Scalar } from 'yaml';

/** Where a piece of MVEL text sits in the file, to turn an offset in it into a line. */
export interface TextPosition {
  readonly line: number;
  /** Literal block scalars (`|`) keep the file's line breaks, so offsets map to exact lines. */
  readonly literalBlock: boolean;
}

export interface GatewayRule {
  readonly name: string;
  readonly priority: number;
  readonly condition: string;
  readonly actions: readonly string[];
  /** Line of the rule's first key. */
  readonly line: number;
  readonly conditionAt: TextPosition;
  readonly actionsAt: readonly TextPosition[];
}

export interface RuleProblem {
  readonly rule: string | undefined;
  readonly line: number;
  readonly reason: string;
}

export interface RulesFile {
  /** In Trino Gateway's evaluation order. */
  readonly rules: readonly GatewayRule[];
  /** Rules that cannot be read; Trino Gateway would fail to load the whole file. */
  readonly problems: readonly RuleProblem[];
  /** Errors in the YAML itself: nothing can be converted. */
  readonly syntaxErrors: readonly string[];
}

const KEYS = new Set(['name', 'description', 'priority', 'condition', 'actions']);

/** The line of an offset within MVEL text found at `at`. */
export function lineOf(at: TextPosition, text: string, offset: number): number {
  if (!at.literalBlock) return at.line;
  let line = at.line + 1; // the text starts on the line after the `|` indicator
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function readRulesFile(text: string): RulesFile {
  const counter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: true });
  const lineAt = (offset: number) => counter.linePos(offset).line;
  const syntaxErrors = documents.flatMap((document) =>
    document.errors.map((error) => `line ${error.linePos?.[0].line ?? '?'}: ${error.message.split('\n')[0]}`),
  );
  if (syntaxErrors.length > 0) return { rules: [], problems: [], syntaxErrors };

  const rules: GatewayRule[] = [];
  const problems: RuleProblem[] = [];
  for (const document of documents) {
    const contents = document.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) continue; // an empty document
    const line = lineAt(contents.range[0]);
    if (!isMap(contents)) {
      problems.push({ rule: undefined, line, reason: 'a rule must be a mapping with name, condition and actions' });
      continue;
    }
    const fields = new Map<string, Node | null>();
    for (const pair of contents.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      fields.set(key, (pair.value as Node | null) ?? null);
    }
    const nameNode = fields.get('name');
    const name = isScalar(nameNode) && nameNode.value !== null ? String(nameNode.value) : undefined;
    const fail = (reason: string, node?: Node | null) =>
      problems.push({ rule: name, line: node?.range ? lineAt(node.range[0]) : line, reason });

    const unknown = [...fields.keys()].filter((key) => !KEYS.has(key));
    if (unknown.length > 0) {
      fail(`unknown key ${unknown.map((k) => `'${k}'`).join(', ')} (Trino Gateway rejects the whole file)`);
      continue;
    }
    if (name === undefined || name === '') {
      fail('name is required');
      continue;
    }
    const priority = readPriority(fields.get('priority'));
    if (priority === undefined) {
      fail('priority must be a whole number', fields.get('priority'));
      continue;
    }
    const condition = fields.get('condition');
    if (!isScalar(condition) || typeof condition.value !== 'string') {
      fail('condition is required and must be a string of MVEL', condition);
      continue;
    }
    const actions = fields.get('actions');
    if (!isSeq(actions) || !actions.items.every((item) => isScalar(item) && typeof item.value === 'string')) {
      fail('actions is required and must be a list of MVEL strings', actions);
      continue;
    }
    const items = actions.items as Scalar<string>[];
    rules.push({
      name,
      priority,
      condition: condition.value,
      actions: items.map((item) => item.value),
      line,
      conditionAt: position(condition, lineAt),
      actionsAt: items.map((item) => position(item, lineAt)),
    });
  }
  // Array.prototype.sort is stable, like Java's List.sort: equal priorities keep file order.
  rules.sort((a, b) => a.priority - b.priority);
  return { rules, problems, syntaxErrors: [] };
}

function readPriority(node: Node | null | undefined): number | undefined {
  if (node === undefined || node === null) return 0;
  if (!isScalar(node)) return undefined;
  const value = node.value;
  if (value === null) return 0;
  // Jackson coerces a numeric string into the Integer field too.
  const number = typeof value === 'string' && /^[-+]?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && Math.abs(number) < 2 ** 31 ? number : undefined;
}

function position(node: Scalar, lineAt: (offset: number) => number): TextPosition {
  return { line: lineAt(node.range?.[0] ?? 0), literalBlock: node.type === Scalar.BLOCK_LITERAL };
}
