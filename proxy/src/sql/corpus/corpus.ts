// Reads the SQL facts corpus (*.sql cases with expected facts in header comments; see README.md here).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CorpusCase {
  /** `file.sql: case name`, unique. */
  readonly name: string;
  readonly sql: string;
  readonly session: { readonly catalog?: string; readonly schema?: string };
  readonly expected: {
    readonly error?: string;
    readonly statement?: string;
    readonly queryType?: string;
    readonly tables?: readonly string[];
    readonly schemas?: readonly string[];
    readonly catalogs?: readonly string[];
  };
}

const HEADER = /^-- (case|session|statement|queryType|tables|schemas|catalogs|error): ?(.*)$/;

/** Every case of every .sql file in `dir`, in file order. */
export function readCorpus(dir: string): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const blocks = readFileSync(join(dir, file), 'utf8').split(/^(?=-- case:)/m);
    // Text before the first case is the file's description.
    for (const block of blocks.filter((b) => b.startsWith('-- case:'))) {
      cases.push(parseCase(file, block));
    }
  }
  return cases;
}

function parseCase(file: string, block: string): CorpusCase {
  const lines = block.split('\n');
  const header = new Map<string, string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const match = HEADER.exec(lines[i]!);
    if (!match) break;
    header.set(match[1]!, match[2]!.trim());
  }
  const name = `${file}: ${header.get('case') ?? '?'}`;
  const sql = lines.slice(i).join('\n').trimEnd().replace(/;$/, '').trimEnd();
  if (!header.has('case') || sql === '') throw new Error(`corpus ${name}: a case needs a name and SQL`);
  if (!header.has('error') && !(header.has('statement') && header.has('queryType') && header.has('tables'))) {
    throw new Error(`corpus ${name}: give error, or statement, queryType and tables`);
  }
  const list = (key: string) => {
    const value = header.get(key);
    if (value === undefined) return undefined;
    return value === '-' ? [] : value.split(',').map((v) => v.trim());
  };
  const text = (key: string) => {
    const value = header.get(key);
    return value === '-' ? '' : value;
  };
  const [catalog, schema] = (header.get('session') ?? '-') === '-' ? [] : header.get('session')!.split('.');
  return {
    name,
    sql,
    session: { ...(catalog ? { catalog } : {}), ...(schema ? { schema } : {}) },
    expected: {
      error: text('error'),
      statement: text('statement'),
      queryType: text('queryType'),
      tables: list('tables'),
      schemas: list('schemas'),
      catalogs: list('catalogs'),
    },
  };
}
