// Trino's naming rules for SQL facts: identifiers in lower case, missing leading parts from the session.
//
// Trino folds every identifier to lower case, quoted or not (io.trino.sql.tree.QualifiedName keeps only
// lower-cased parts, and catalogs, schemas and tables are resolved through it), so "Nation" and NATION
// both name tpch.tiny.nation. A part Trino would take from the session is taken from the session here; a
// name the session cannot complete is one Trino refuses to run ("Catalog must be specified when session
// catalog is not set"), so only its known leading parts are recorded and the statement loses no facts
// that matter for routing.

/** The request's X-Trino-Catalog / X-Trino-Schema. */
export interface SessionDefaults {
  readonly catalog?: string | undefined;
  readonly schema?: string | undefined;
}

/** A name's parts from the left (catalog, schema, object); undefined where neither SQL nor session says. */
export type Qualified = readonly [catalog: string | undefined, schema: string | undefined, object?: string];

/** The value of a double-quoted identifier: quotes removed, `""` unescaped, lower-cased. */
export function quotedIdentifier(text: string): string {
  return text.slice(1, -1).replaceAll('""', '"').toLowerCase();
}

/** The value of an unquoted identifier or non-reserved keyword. */
export function unquotedIdentifier(text: string): string {
  return text.toLowerCase();
}

/**
 * Completes `parts` (1–3 of them, the last being the object) to catalog, schema and object, taking the
 * missing leading parts from `defaults`. Returns undefined for more than three parts.
 */
export function qualifyObject(parts: readonly string[], defaults: SessionDefaults): Qualified | undefined {
  switch (parts.length) {
    case 1:
      return [defaults.catalog, defaults.schema, parts[0]!];
    case 2:
      return [defaults.catalog, parts[0]!, parts[1]!];
    case 3:
      return [parts[0]!, parts[1]!, parts[2]!];
    default:
      return undefined;
  }
}

/** Completes a schema name (1–2 parts) to catalog and schema. */
export function qualifySchema(parts: readonly string[], defaults: SessionDefaults): Qualified | undefined {
  switch (parts.length) {
    case 1:
      return [defaults.catalog, parts[0]!];
    case 2:
      return [parts[0]!, parts[1]!];
    default:
      return undefined;
  }
}

/** The catalogs, schemas and tables one statement references, each recorded as far as it is known. */
export class ReferencedNames {
  private readonly catalogSet = new Set<string>();
  private readonly schemaSet = new Set<string>();
  private readonly tableSet = new Set<string>();

  constructor(readonly session: SessionDefaults) {}

  /** A table or view; returns its qualified parts so a RENAME target can be completed from them. */
  table(parts: readonly string[], defaults: SessionDefaults = this.session): Qualified | undefined {
    const name = qualifyObject(parts, defaults);
    if (name) this.record(name);
    return name;
  }

  schema(parts: readonly string[], defaults: SessionDefaults = this.session): Qualified | undefined {
    const name = qualifySchema(parts, defaults);
    if (name) this.record(name);
    return name;
  }

  catalog(name: string | undefined): void {
    if (name !== undefined) this.catalogSet.add(name);
  }

  /**
   * A procedure, table function or SQL routine: `catalog.schema.routine` or `schema.routine`. Only its
   * catalog and schema are facts; a one-part routine is a built-in or inline one and names neither.
   */
  routine(parts: readonly string[]): void {
    if (parts.length === 2 || parts.length === 3) this.schema(parts.slice(0, -1));
  }

  private record([catalog, schema, object]: Qualified): void {
    if (catalog === undefined) return;
    this.catalogSet.add(catalog);
    if (schema === undefined) return;
    this.schemaSet.add(`${catalog}.${schema}`);
    if (object !== undefined) this.tableSet.add(`${catalog}.${schema}.${object}`);
  }

  get catalogs(): readonly string[] {
    return sorted(this.catalogSet);
  }

  get schemas(): readonly string[] {
    return sorted(this.schemaSet);
  }

  get tables(): readonly string[] {
    return sorted(this.tableSet);
  }
}

function sorted(values: Set<string>): readonly string[] {
  return Object.freeze([...values].sort());
}
