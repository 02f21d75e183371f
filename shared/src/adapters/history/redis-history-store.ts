// Query history in Redis, shared by every replica: a stream indexes records in the order they were
// first seen (bounded to maxRecords), a hash holds each record as JSON, another maps cluster query
// ids to the gateway ids their queued queries were recorded under. Appends are one Lua script per
// batch (redis-history-lua.ts); keys share the hash tag `{history}` (one Redis Cluster slot).
//
// Reads: `get` is two HGETs. `list` walks the stream newest first from the cursor in chunks and applies
// the filters here while scanning: a page costs O(records scanned), which for a filter few records
// match is up to the whole stream (maxRecords entries, default 10 000). Use PostgreSQL for indexed
// filters over long retention.

import {
  HistoryCursorError,
  type HistoryEvent,
  type HistoryPage,
  type HistoryQuery,
  type HistoryRecord,
  type HistoryStore,
  matchesHistoryFilter,
} from '../../contract/history.js';
import type { RedisClient } from '../redis-client.js';
import { APPEND_HISTORY } from './redis-history-lua.js';

export interface RedisHistoryStoreOptions {
  readonly keyPrefix: string;
  readonly maxRecords: number;
  /** Stream entries read per round trip while scanning. */
  readonly scanChunk?: number;
}

type AppendCommand = (keys: number, ...args: string[]) => Promise<unknown>;

const CURSOR = /^\d{1,20}-\d{1,20}$/;

export class RedisHistoryStore implements HistoryStore {
  readonly #redis: RedisClient;
  readonly #keys: readonly [stream: string, records: string, aliases: string];
  readonly #maxRecords: number;
  readonly #chunk: number;

  /** `redis` is shared with the proxy's other users: the store defines its script on it and never closes it. */
  constructor(redis: RedisClient, options: RedisHistoryStoreOptions) {
    this.#redis = redis;
    const base = `${options.keyPrefix}{history}:`;
    this.#keys = [`${base}stream`, `${base}records`, `${base}aliases`];
    this.#maxRecords = Math.max(1, options.maxRecords);
    this.#chunk = options.scanChunk ?? 500;
    redis.defineCommand('junctionHistoryAppend', { lua: APPEND_HISTORY });
  }

  async append(events: readonly HistoryEvent[]): Promise<void> {
    if (events.length === 0) return;
    const call = (this.#redis as unknown as Record<string, AppendCommand>)['junctionHistoryAppend'] as AppendCommand;
    await call.call(
      this.#redis,
      3,
      ...this.#keys,
      String(this.#maxRecords),
      ...events.map((event) => JSON.stringify(event)),
    );
  }

  async list(query: HistoryQuery): Promise<HistoryPage> {
    const { cursor } = query;
    if (cursor !== undefined && !CURSOR.test(cursor)) throw new HistoryCursorError(cursor);
    const records: HistoryRecord[] = [];
    let end = cursor === undefined ? '+' : `(${cursor}`;
    for (;;) {
      const entries = (await this.#redis.xrevrange(this.#keys[0], end, '-', 'COUNT', this.#chunk)) as Array<
        [string, string[]]
      >;
      if (entries.length === 0) return { records };
      const ids = entries.map(([, fields]) => fields[1] ?? '');
      const stored = await this.#redis.hmget(this.#keys[1], ...ids);
      for (let i = 0; i < entries.length; i++) {
        const text = stored[i];
        if (text === null || text === undefined) continue;
        const record = parseRecord(text);
        if (!matchesHistoryFilter(record, query)) continue;
        records.push(record);
        if (records.length === query.limit) {
          const more = i < entries.length - 1 || entries.length === this.#chunk;
          return more ? { records, nextCursor: (entries[i] as [string, string[]])[0] } : { records };
        }
      }
      if (entries.length < this.#chunk) return { records };
      end = `(${(entries[entries.length - 1] as [string, string[]])[0]}`;
    }
  }

  async get(id: string): Promise<HistoryRecord | undefined> {
    const [, records, aliases] = this.#keys;
    const direct = await this.#redis.hget(records, id);
    if (direct !== null) return parseRecord(direct);
    const aliased = await this.#redis.hget(aliases, id);
    const text = aliased === null ? null : await this.#redis.hget(records, aliased);
    return text === null ? undefined : parseRecord(text);
  }

  async close(): Promise<void> {}
}

/** Lua's cjson writes an empty list as `{}`: give clientTags back its list shape. */
function parseRecord(text: string): HistoryRecord {
  const record = JSON.parse(text) as HistoryRecord & { clientTags?: unknown };
  if (record.clientTags !== undefined && !Array.isArray(record.clientTags)) return { ...record, clientTags: [] };
  return record;
}
