// Loads the Trino lexer and parser that dt-sql-parser generates from Trino's grammar, once, on first use.
//
// Why not `import 'dt-sql-parser'`: the package ships bundler-style ES modules (`export class`, imports
// without file extensions, no `"type": "module"`), which neither Node's ESM loader nor jest's can load
// (ERR_UNSUPPORTED_DIR_IMPORT / "Cannot use import statement outside a module"). Its two generated
// files need only antlr4ng and a 60-line base class, so we evaluate exactly those three files here,
// handing them our own antlr4ng. The version is pinned exactly in package.json and every assumption
// about the files is checked: a changed layout fails loudly (parsed: false) instead of parsing wrongly.
//
// antlr4ng itself is loaded here too, on first use, through require (its CommonJS build): importing
// the SQL facts module then costs a proxy that never analyses SQL nothing, instead of ~50 ms at start-up.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as antlr from 'antlr4ng';

/** The antlr4ng runtime the grammar was loaded with; every class check and subclass must use this one. */
export type AntlrRuntime = typeof antlr;

/** The generated parser, reduced to what Junction calls. */
export interface TrinoParser extends antlr.Parser {
  statement(): antlr.ParserRuleContext;
}

export interface TrinoGrammar {
  readonly antlr: AntlrRuntime;
  createLexer(input: antlr.CharStream): antlr.Lexer;
  createParser(tokens: antlr.TokenStream): TrinoParser;
  /** Rule index by rule name (`tableRef` → TrinoSqlParser.RULE_tableRef). */
  ruleIndex(name: string): number;
  /** Milliseconds spent loading antlr4ng, evaluating the files and deserialising the grammar. */
  readonly loadMs: number;
}

type Constructor<T> = new (...args: never[]) => T;

let loaded: TrinoGrammar | Error | undefined;

/**
 * The grammar, loaded on the first call (about 0.1 s, synchronous). Throws if the package is unusable,
 * and keeps throwing the same error without trying again, so a broken install costs nothing per statement.
 */
export function trinoGrammar(): TrinoGrammar {
  if (loaded === undefined) {
    try {
      loaded = loadGrammar();
    } catch (e) {
      loaded = e instanceof Error ? e : new Error(String(e));
    }
  }
  if (loaded instanceof Error) throw loaded;
  return loaded;
}

function loadGrammar(): TrinoGrammar {
  const started = performance.now();
  const require = createRequire(import.meta.url);
  const runtime = require('antlr4ng') as AntlrRuntime;
  const lib = join(dirname(require.resolve('dt-sql-parser/package.json')), 'dist', 'lib');
  const { SQLParserBase } = evaluate(lib, 'SQLParserBase.js', { antlr: runtime }, 'SQLParserBase');
  const { TrinoSqlLexer } = evaluate(lib, 'trino/TrinoSqlLexer.js', { antlr: runtime }, 'TrinoSqlLexer');
  const { TrinoSqlParser } = evaluate(
    lib,
    'trino/TrinoSqlParser.js',
    { antlr: runtime, SQLParserBase },
    'TrinoSqlParser',
  );
  const Lexer = TrinoSqlLexer as Constructor<antlr.Lexer>;
  const Parser = TrinoSqlParser as Constructor<TrinoParser> & Record<string, unknown>;
  if (!(Lexer.prototype instanceof runtime.Lexer) || !(Parser.prototype instanceof runtime.Parser)) {
    throw new Error('dt-sql-parser: TrinoSqlLexer/TrinoSqlParser are not antlr4ng recognisers');
  }
  const ruleIndex = (name: string): number => {
    const index = Parser[`RULE_${name}`];
    if (typeof index !== 'number') throw new Error(`dt-sql-parser: the Trino grammar has no rule ${name}`);
    return index;
  };
  return {
    antlr: runtime,
    createLexer: (input) => new (Lexer as new (input: antlr.CharStream) => antlr.Lexer)(input),
    createParser: (tokens) => new (Parser as unknown as new (tokens: antlr.TokenStream) => TrinoParser)(tokens),
    ruleIndex,
    loadMs: performance.now() - started,
  };
}

/**
 * Evaluates one generated file as a function of its imports: its `import` lines are dropped (we pass
 * those bindings in) and `export class X` becomes `class X`; `exported` names the class to hand back.
 */
function evaluate(
  lib: string,
  file: string,
  imports: Record<string, unknown>,
  exported: string,
): Record<string, Constructor<unknown>> {
  const source = readFileSync(join(lib, file), 'utf8');
  const bindings = [...source.matchAll(/^import (?:\* as (\w+)|\{ (\w+) \}) from .*;$/gm)].map((m) => m[1] ?? m[2]);
  if (bindings.sort().join() !== Object.keys(imports).sort().join()) {
    throw new Error(
      `dt-sql-parser: ${file} imports ${bindings.join(', ')}, expected ${Object.keys(imports).join(', ')}`,
    );
  }
  const body = source.replace(/^import .*;$/gm, '').replace(/^export class /gm, 'class ');
  if (/^(import|export)\b/m.test(body) || !body.includes(`class ${exported} `)) {
    throw new Error(`dt-sql-parser: ${file} does not have the expected shape`);
  }
  const factory = new Function(
    ...Object.keys(imports),
    `'use strict';\n${body}\nreturn { ${exported} };\n//# sourceURL=dt-sql-parser/dist/lib/${file}`,
  );
  const result = factory(...Object.values(imports)) as Record<string, Constructor<unknown>>;
  if (typeof result[exported] !== 'function') throw new Error(`dt-sql-parser: ${file} did not define ${exported}`);
  return result;
}
