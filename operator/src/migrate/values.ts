// What an MVEL sub-expression stands for once translated: a typed CEL value. Nullable strings
// keep the CEL test for "not null" beside them, so equality can stay as null-safe as MVEL's.
import type { Cel } from './cel.js';
import type { Expr } from './mvel-parser.js';

export type ObjectName = 'request' | 'trinoQueryProperties' | 'trinoRequestUser';
export type ClassName = 'Optional' | 'FileBasedRoutingGroupSelector';

export type Value =
  /**
   * Exactly MVEL's value on every request where the MVEL does not throw (Trino Gateway answers
   * those with HTTP 500; nothing is promised for them). Where MVEL's `==` and `contains` are
   * null-safe the CEL tests `"x" in request.headers` first: a missing map key is a CEL error.
   */
  | { readonly t: 'bool'; readonly cel: Cel }
  /**
   * `present` is the CEL test for "not null"; undefined when the value is never null. `cel` is
   * only meaningful when `present` holds (for a missing header, reading it is a CEL error).
   */
  | { readonly t: 'string'; readonly cel: Cel; readonly present: Cel | undefined; readonly ascii: boolean }
  /** java.util.Optional<String>; `cel` is only meaningful when `present` holds. */
  | {
      readonly t: 'optional';
      readonly cel: Cel;
      readonly present: Cel;
      /** False when the text differs between Trino Gateway and Junction (parser error messages). */
      readonly comparable: boolean;
      readonly what: string;
    }
  /** `Optional.of("x")` (value "x") or `Optional.empty()` (value undefined). */
  | { readonly t: 'optionalLiteral'; readonly value: string | undefined }
  | { readonly t: 'list'; readonly cel: Cel; readonly what: string }
  /** getSchemas(): bare schema names, which Junction keeps as 'catalog.schema' in sql.schemas. */
  | { readonly t: 'schemas' }
  /** getTables(): a Set<QualifiedName>, not of strings. */
  | { readonly t: 'tables' }
  | { readonly t: 'int'; readonly cel: Cel }
  | { readonly t: 'null' }
  | { readonly t: 'object'; readonly name: ObjectName }
  | { readonly t: 'class'; readonly name: ClassName }
  | { readonly t: 'package'; readonly path: string };

/** A construct the converter will not translate, with the reason and where it is. */
export class Unconvertible extends Error {
  constructor(
    message: string,
    /** Offset in the MVEL text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

export function describe(value: Value): string {
  switch (value.t) {
    case 'bool':
      return 'a boolean';
    case 'string':
      return 'a string';
    case 'optional':
      return `an Optional (${value.what})`;
    case 'optionalLiteral':
      return 'an Optional';
    case 'list':
      return `a set of strings (${value.what})`;
    case 'schemas':
      return 'a set of strings (getSchemas())';
    case 'tables':
      return 'a set of table names (getTables())';
    case 'int':
      return 'a number';
    case 'null':
      return 'null';
    case 'object':
      return value.name;
    case 'class':
      return `the class ${value.name}`;
    case 'package':
      return `the package ${value.path}`;
  }
}

/** Notes the converter attaches to a rule whose meaning differs in an edge case. */
export const NOTES = {
  user:
    "request.user is X-Trino-User, else X-Presto-User, else the Basic auth user; Trino Gateway's user is " +
    'X-Trino-User, else Basic auth, else a JWT bearer token or UI cookie claim (no X-Presto-User)',
  caseFolding:
    'toLowerCase()/toUpperCase()/equalsIgnoreCase() became lowerAscii()/upperAscii(): non-ASCII letters are not folded',
  schemas: "getSchemas() is read from sql.schemas ('catalog.schema'), assuming catalog names without '.'",
} as const;

/** What the member and method vocabulary needs of the translator (translate.ts implements it). */
export interface Translation {
  /** Edge cases in which the converted rule can differ; reported with the rule. */
  readonly notes: Set<string>;
  value(expr: Expr): Value;
  equality(l: Value, r: Value, at: number): Cel;
  contains(l: Value, r: Value, at: number): Cel;
}
