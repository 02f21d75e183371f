// Query history in this process: a bounded ring of records (the oldest goes first), the standalone
// default. Every read scans at most `maxRecords` records in memory.
import {
  HistoryCursorError,
  type HistoryEvent,
  type HistoryPage,
  type HistoryQuery,
  type HistoryRecord,
  type HistoryStore,
  matchesHistoryFilter,
  mergeHistoryEvent,
} from '../../contract/history.js';

interface Slot {
  /** Insertion order: the cursor of paging. */
  readonly seq: number;
  record: HistoryRecord;
}

export class MemoryHistoryStore implements HistoryStore {
  readonly #maxRecords: number;
  /** Map order is insertion order: the first key is the oldest record. */
  readonly #records = new Map<string, Slot>();
  /** Cluster query id → record id, for queries that were queued under a gateway id. */
  readonly #aliases = new Map<string, string>();
  #seq = 0;

  constructor(options: { maxRecords: number }) {
    this.#maxRecords = Math.max(1, options.maxRecords);
  }

  async append(events: readonly HistoryEvent[]): Promise<void> {
    for (const event of events) this.#apply(event);
  }

  #apply(event: HistoryEvent): void {
    const key = this.#records.has(event.id) ? event.id : (this.#aliases.get(event.id) ?? event.id);
    let slot = this.#records.get(key);
    if (slot === undefined) {
      slot = { seq: ++this.#seq, record: mergeHistoryEvent(undefined, { ...event, id: key }) };
      this.#records.set(key, slot);
    } else {
      slot.record = mergeHistoryEvent(slot.record, event);
    }
    const alias = event.queryId;
    if (alias !== undefined && alias !== key) {
      this.#aliases.set(alias, key);
      const early = this.#records.get(alias);
      if (early !== undefined) {
        slot.record = mergeHistoryEvent(slot.record, { ...early.record, id: key });
        this.#records.delete(alias);
      }
    }
    while (this.#records.size > this.#maxRecords) this.#dropOldest();
  }

  #dropOldest(): void {
    const oldest = this.#records.entries().next().value;
    if (oldest === undefined) return;
    const [key, slot] = oldest;
    this.#records.delete(key);
    if (slot.record.queryId !== undefined && this.#aliases.get(slot.record.queryId) === key) {
      this.#aliases.delete(slot.record.queryId);
    }
  }

  async list(query: HistoryQuery): Promise<HistoryPage> {
    const { cursor } = query;
    if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw new HistoryCursorError(cursor);
    const before = cursor === undefined ? Number.POSITIVE_INFINITY : Number(cursor);
    const slots = [...this.#records.values()];
    const records: HistoryRecord[] = [];
    let last = 0;
    for (let i = slots.length - 1; i >= 0; i--) {
      const slot = slots[i] as Slot;
      if (slot.seq >= before || !matchesHistoryFilter(slot.record, query)) continue;
      if (records.length === query.limit) return { records, nextCursor: String(last) };
      records.push(slot.record);
      last = slot.seq;
    }
    return { records };
  }

  async get(id: string): Promise<HistoryRecord | undefined> {
    return this.#records.get(id)?.record ?? this.#records.get(this.#aliases.get(id) ?? '')?.record;
  }

  async close(): Promise<void> {
    this.#records.clear();
    this.#aliases.clear();
  }
}
