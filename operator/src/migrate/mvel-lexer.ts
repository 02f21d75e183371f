// The lexer for the MVEL subset in mvel-parser.ts: strings with Java escapes, whole numbers,
// names, the operators the subset uses, and a named reason for MVEL syntax outside it.

export class ParseError extends Error {
  constructor(
    message: string,
    /** Offset in the MVEL text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

export type Token =
  | { readonly t: 'string'; readonly v: string; readonly at: number }
  | { readonly t: 'int'; readonly v: number; readonly at: number }
  | { readonly t: 'ident'; readonly v: string; readonly at: number }
  | { readonly t: 'punct'; readonly v: string; readonly at: number }
  | { readonly t: 'end'; readonly v: ''; readonly at: number }
  /** Text the lexer cannot read; an error once the parser gets there, so earlier errors win. */
  | { readonly t: 'bad'; readonly v: string; readonly at: number };

const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '(', ')', '{', '}', '.', ',', ';', '!', '<', '>'];
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
// MVEL operators and syntax Trino Gateway rules could use but this converter does not translate.
const UNSUPPORTED_PUNCTUATION: Record<string, string> = {
  '?': 'the ternary operator and null-safe navigation (?.) are not supported',
  '=': 'assignment is not supported',
  '~': 'the regular-expression operator ~= is not supported; use .matches("…")',
  '+': 'arithmetic and string concatenation are not supported',
  '-': 'arithmetic is not supported',
  '*': 'arithmetic is not supported',
  '/': 'arithmetic is not supported',
  '%': 'arithmetic is not supported',
  '[': 'indexing and inline lists are not supported',
  '#': 'string concatenation (#) is not supported',
  '&': 'bitwise operators are not supported',
  '|': 'bitwise operators are not supported',
  ':': 'inline maps and labels are not supported',
};
export const UNSUPPORTED_WORDS: Record<string, string> = {
  new: 'object creation (new …) is not supported',
  instanceof: 'instanceof is not supported',
  is: 'instanceof (is) is not supported',
  strsim: 'strsim is not supported',
  soundslike: 'soundslike is not supported',
  for: 'loops are not supported',
  foreach: 'loops are not supported',
  while: 'loops are not supported',
  do: 'loops are not supported',
  def: 'function definitions are not supported',
  function: 'function definitions are not supported',
  return: 'return is not supported',
  var: 'variable declarations are not supported',
  empty: "MVEL's empty literal is not supported; compare with null and .isEmpty()",
};

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('//', i) || text.startsWith('/*', i)) {
      const end = text.startsWith('//', i) ? text.indexOf('\n', i) : text.indexOf('*/', i + 2);
      if (end < 0 && text.startsWith('/*', i)) throw new ParseError('unterminated comment', i);
      i = end < 0 ? text.length : text.startsWith('//', i) ? end : end + 2;
    } else if (c === '"' || c === "'") {
      const start = i++;
      let value = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') {
          const next = text[i + 1] ?? '';
          if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            value += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          const escaped = ESCAPES[next];
          if (escaped === undefined) throw new ParseError(`unsupported escape \\${next} in a string`, i);
          value += escaped;
          i += 2;
        } else {
          value += text[i++];
        }
      }
      if (i >= text.length) throw new ParseError('unterminated string', start);
      i++;
      tokens.push({ t: 'string', v: value, at: start });
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(?![0-9A-Za-z_.])/.exec(text.slice(i));
      if (match === null) throw new ParseError('only whole numbers are supported', i);
      tokens.push({ t: 'int', v: Number(match[0]), at: i });
      i += match[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const word = (/^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i)) as RegExpExecArray)[0];
      tokens.push({ t: 'ident', v: word, at: i });
      i += word.length;
    } else {
      const punct = text.startsWith('.?', i) ? undefined : PUNCTUATION.find((p) => text.startsWith(p, i));
      if (punct === undefined) {
        const reason = text.startsWith('.?', i)
          ? 'null-safe navigation (.?) is not supported'
          : UNSUPPORTED_PUNCTUATION[c];
        tokens.push({ t: 'bad', v: reason ?? `unexpected character '${c}'`, at: i });
        return tokens;
      }
      tokens.push({ t: 'punct', v: punct, at: i });
      i += punct.length;
    }
  }
  tokens.push({ t: 'end', v: '', at: text.length });
  return tokens;
}

/** The error for a token out of place: an unsupported keyword names itself. */
export function unexpected(token: Token, otherwise: string): ParseError {
  const reason = token.t === 'ident' ? UNSUPPORTED_WORDS[token.v] : undefined;
  return new ParseError(reason ?? otherwise, token.at);
}

export function describe(token: Token): string {
  switch (token.t) {
    case 'end':
      return 'the end';
    case 'string':
      return 'a string';
    case 'int':
      return `the number ${token.v}`;
    default:
      return `'${token.v}'`;
  }
}
