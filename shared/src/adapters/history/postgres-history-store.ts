// Query history in PostgreSQL, for long retention and indexed filters: one row per query
// (migrations/), events folded in a transaction with the row locked (the contract's merge rules,
// applied here in TypeScript), listing by `seq` with the filters in SQL and text search by ILIKE
// (served by a pg_trgm index when the extension could be created; see textSearch()).
import pg from 'pg';
import {
  HistoryCursorError,
  type HistoryEvent,
  type HistoryPage,
  type HistoryQuery,
  type HistoryRecord,
  type HistoryStore,
  mergeHistoryEvent,
} from '../../contract/history.js';
import { migrateHistorySchema } from './postgres-migrations.js';

export interface PostgresHistoryStoreOptions {
  /** Connection URL; may carry a password, which no error or log of this store repeats. */
  readonly url: string;
  readonly maxRecords: number;
  readonly poolSize?: number;
  /** Milliseconds a statement may run (default 5000). */
  readonly statementTimeoutMs?: number;
}

type Client = pg.PoolClient;
type Row = Record<string, unknown>;

const COLUMNS: ReadonlyArray<readonly [keyof HistoryRecord, string, 'text' | 'time' | 'number' | 'raw']> = [
  ['id', 'id', 'text'],
  ['queryId', 'query_id', 'text'],
  ['gatewayId', 'gateway_id', 'text'],
  ['user', 'user_name', 'text'],
  ['source', 'source', 'text'],
  ['clientTags', 'client_tags', 'raw'],
  ['group', 'routing_group', 'text'],
  ['cluster', 'cluster', 'text'],
  ['routedBy', 'routed_by', 'text'],
  ['rule', 'rule', 'text'],
  ['submittedAt', 'submitted_at', 'time'],
  ['queuedMs', 'queued_ms', 'number'],
  ['firstPageAt', 'first_page_at', 'time'],
  ['endedAt', 'ended_at', 'time'],
  ['state', 'state', 'text'],
  ['errorName', 'error_name', 'text'],
  ['replica', 'replica', 'text'],
  ['sql', 'sql', 'text'],
  ['sqlTruncated', 'sql_truncated', 'raw'],
];
const NAMES = COLUMNS.map(([, column]) => column);
const INSERT = `INSERT INTO junction_history (${NAMES.join(', ')}) VALUES (${NAMES.map((_, i) => `$${i + 1}`).join(', ')})`;
// A plain UPDATE (not an upsert): an upsert would draw a `seq` value each time, and trimming counts on seq.
const UPDATE = `UPDATE junction_history SET ${NAMES.map((name, i) => `${name} = $${i + 1}`)
  .slice(1)
  .join(', ')} WHERE id = $1`;
const FIND = 'SELECT * FROM junction_history WHERE id = $1 OR query_id = $1 ORDER BY (id = $1) DESC LIMIT 1';
const CURSOR = /^\d{1,18}$/;

export class PostgresHistoryStore implements HistoryStore {
  readonly #pool: pg.Pool;
  readonly #maxRecords: number;
  #ready: Promise<void> | undefined;

  /**
   * Connects lazily: the schema is migrated by `ready()`, which every call awaits, so a proxy starts
   * (and routes) while PostgreSQL is down, and history begins once it is reachable.
   */
  constructor(options: PostgresHistoryStoreOptions) {
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: 5_000,
      statement_timeout: options.statementTimeoutMs ?? 5_000,
      application_name: 'junction-history',
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.#pool.on('error', () => {});
    this.#maxRecords = Math.max(1, options.maxRecords);
  }

  /** A store whose schema is ready; rejects (without the URL) when the server cannot be reached. */
  static async open(options: PostgresHistoryStoreOptions): Promise<PostgresHistoryStore> {
    const store = new PostgresHistoryStore(options);
    try {
      await store.ready();
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
    return store;
  }

  /** Applies pending migrations once; after a failure the next call tries again. */
  ready(): Promise<void> {
    this.#ready ??= migrateHistorySchema(this.#pool).then(
      () => undefined,
      (error: unknown) => {
        this.#ready = undefined;
        throw new Error(`history: cannot prepare the PostgreSQL schema: ${describe(error)}`);
      },
    );
    return this.#ready;
  }

  /** 'trigram' when a pg_trgm index serves `q`, else 'scan'. */
  async textSearch(): Promise<'trigram' | 'scan'> {
    await this.ready();
    const found = await this.#pool.query("SELECT 1 FROM pg_indexes WHERE indexname = 'junction_history_sql_trgm'");
    return found.rowCount === 0 ? 'scan' : 'trigram';
  }

  async append(events: readonly HistoryEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.ready();
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      for (const event of events) await this.#apply(client, event);
      // At most maxRecords rows (fewer when seq has gaps): cheap on the seq index.
      await client.query('DELETE FROM junction_history WHERE seq <= (SELECT max(seq) FROM junction_history) - $1', [
        this.#maxRecords,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw new Error(`history: PostgreSQL append failed: ${describe(error)}`);
    } finally {
      client.release();
    }
  }

  async #apply(client: Client, event: HistoryEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const found = await client.query(`${FIND} FOR UPDATE`, [event.id]);
      const existing = found.rows[0] === undefined ? undefined : fromRow(found.rows[0] as Row);
      const key = existing?.id ?? event.id;
      let record = mergeHistoryEvent(existing, { ...event, id: key });
      const alias = event.queryId;
      if (alias !== undefined && alias !== key) {
        // Its end may have arrived first, recorded under the cluster's id: fold it in.
        const early = await client.query('DELETE FROM junction_history WHERE id = $1 RETURNING *', [alias]);
        if (early.rows[0] !== undefined)
          record = mergeHistoryEvent(record, { ...fromRow(early.rows[0] as Row), id: key });
      }
      if (existing !== undefined) {
        await client.query(UPDATE, toParams(record));
        return;
      }
      const inserted = await client.query(`${INSERT} ON CONFLICT (id) DO NOTHING`, toParams(record));
      // Another replica created the row meanwhile: read it locked and merge into it.
      if (inserted.rowCount === 1 || attempt > 0) return;
    }
  }

  async list(query: HistoryQuery): Promise<HistoryPage> {
    await this.ready();
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: (at: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (query.cursor !== undefined) {
      if (!CURSOR.test(query.cursor)) throw new HistoryCursorError(query.cursor);
      add((at) => `seq < ${at}`, query.cursor);
    }
    if (query.user !== undefined) add((at) => `user_name = ${at}`, query.user);
    if (query.source !== undefined) add((at) => `source = ${at}`, query.source);
    if (query.group !== undefined) add((at) => `routing_group = ${at}`, query.group);
    if (query.cluster !== undefined) add((at) => `cluster = ${at}`, query.cluster);
    if (query.state !== undefined) add((at) => `state = ${at}`, query.state);
    if (query.since !== undefined) add((at) => `submitted_at >= ${at}`, new Date(query.since));
    if (query.until !== undefined) add((at) => `submitted_at <= ${at}`, new Date(query.until));
    if (query.text !== undefined) add((at) => `sql ILIKE ${at} ESCAPE '\\'`, `%${likeEscape(query.text)}%`);
    params.push(query.limit + 1);
    const sql = `SELECT * FROM junction_history ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
      ORDER BY seq DESC LIMIT $${params.length}`;
    const rows = (await this.#pool.query(sql, params)).rows as Row[];
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const records = page.map(fromRow);
    return rows.length > query.limit && last !== undefined ? { records, nextCursor: String(last['seq']) } : { records };
  }

  async get(id: string): Promise<HistoryRecord | undefined> {
    await this.ready();
    const found = await this.#pool.query(FIND, [id]);
    return found.rows[0] === undefined ? undefined : fromRow(found.rows[0] as Row);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

function toParams(record: HistoryRecord): unknown[] {
  return COLUMNS.map(([field, , kind]) => {
    const value = record[field];
    if (value === undefined) return null;
    return kind === 'time' ? new Date(value as number) : value;
  });
}

function fromRow(row: Row): HistoryRecord {
  const record: Record<string, unknown> = {};
  for (const [field, column, kind] of COLUMNS) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    record[field] = kind === 'time' ? (value as Date).getTime() : kind === 'number' ? Number(value) : value;
  }
  return record as unknown as HistoryRecord;
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** An error's message without anything that could repeat the connection URL. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return `${message.replace(/postgres(?:ql)?:\/\/\S+/g, 'postgres://…')}${typeof code === 'string' ? ` (${code})` : ''}`;
}
