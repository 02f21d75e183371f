// What a statement page says about its query, read from its bytes as they stream past without
// holding the page up: whether it is the query's last (Trino writes `nextUri` before `columns`,
// `data`, `stats` and `error`, and only when the query goes on — so the first of these keys decides
// it), whether it carries rows, and on a last page the final state and error name. Query management
// and history both listen to the one watch. Compressed pages (real clients send Accept-Encoding, and
// Trino's server gzips) are inflated beside the stream, only as far as these questions need.
import type { Transform } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { ResponseObserver } from '../upstream/forwarder.js';

const HEAD_BYTES = 4096;
/** A last page is scanned for its state and error name this far at most. */
const LAST_PAGE_SCAN_BYTES = 1024 * 1024;
/** Bytes kept from one chunk to the next, so a key split across chunks is still found. */
const CARRY_BYTES = 128;
const NEXT = Buffer.from('"nextUri"');
const LATER = [Buffer.from('"columns"'), Buffer.from('"data"'), Buffer.from('"stats"'), Buffer.from('"error"')];
/** The `data` key itself: a column named "data" shows as `"data",` and a string's quotes are escaped. */
const DATA_KEY = Buffer.from('"data":');
const STATE = /"stats"\s*:\s*\{\s*"state"\s*:\s*"([A-Z_]{1,40})"/;
const ERROR_NAME = /"errorName"\s*:\s*"([A-Za-z0-9_]{1,100})"/;

/** How a query ended, as far as its last page (or the request that ended it) says. */
export interface PageEnd {
  /** FINISHED, FAILED, …; FAILED when the page has an error but no readable state. */
  readonly state: string;
  readonly errorName?: string;
}

/** The client's DELETE of a query: Trino reports such a query FAILED with USER_CANCELED. */
export const CANCELLED: PageEnd = { state: 'FAILED', errorName: 'USER_CANCELED' };

/** The cluster answered 404/410: it no longer knows the query, so how it ended is not known. */
export const FORGOTTEN: PageEnd = { state: 'UNKNOWN' };

export interface PageListener {
  /** The query is over on its cluster. */
  ended(end: PageEnd): void;
  /** This page carries result rows (called at most once per page). */
  rows?(): void;
}

/** 'more' (nextUri first), 'last' (a later key first) or undefined (neither seen in `head`). */
export function pageEnds(head: Buffer): 'more' | 'last' | undefined {
  const next = head.indexOf(NEXT);
  let later = -1;
  for (const key of LATER) {
    const at = head.indexOf(key);
    if (at >= 0 && (later < 0 || at < later)) later = at;
  }
  if (next >= 0 && (later < 0 || next < later)) return 'more';
  if (later >= 0) return 'last';
  return undefined;
}

/** True when `head` (a page's first bytes) shows the page's `data`: it carries result rows. */
export function hasRows(head: Buffer): boolean {
  return head.includes(DATA_KEY);
}

/** The end a complete last page names (its first bytes up to the scan bound). */
export function lastPageEnd(page: Buffer): PageEnd {
  const text = page.toString('latin1', 0, Math.min(page.length, LAST_PAGE_SCAN_BYTES));
  return endOf(STATE.exec(text)?.[1], ERROR_NAME.exec(text)?.[1], text.includes('"error"'));
}

function endOf(state: string | undefined, errorName: string | undefined, error: boolean): PageEnd {
  const final = state ?? (error || errorName !== undefined ? 'FAILED' : 'FINISHED');
  return errorName === undefined ? { state: final } : { state: final, errorName };
}

/** An inflater for a Content-Encoding, null for none/identity, undefined for one Junction cannot read. */
function inflaterFor(encoding: string | undefined): Transform | null | undefined {
  const name = encoding?.trim().toLowerCase() ?? '';
  const options = { chunkSize: HEAD_BYTES, finishFlush: constants.Z_SYNC_FLUSH };
  if (name === '' || name === 'identity') return null;
  if (name === 'gzip' || name === 'x-gzip') return createGunzip(options);
  if (name === 'deflate') return createInflate(options);
  if (name === 'br') return createBrotliDecompress({ chunkSize: HEAD_BYTES });
  return undefined;
}

/**
 * A poll's response, for the listeners: `ended` once the response shows the query is over on its
 * cluster — a complete 200 page whose head has no nextUri, or a 404/410 (the cluster no longer knows
 * the query). A 5xx, a cut response or a page in an encoding Junction cannot read decides nothing;
 * the query's lease covers those.
 */
export class PageEndWatch implements ResponseObserver {
  readonly #listeners: readonly PageListener[];
  #status = 0;
  #head: Buffer | undefined;
  #verdict: 'more' | 'last' | undefined;
  #scanned = 0;
  #carry = '';
  #state: string | undefined;
  #errorName: string | undefined;
  #error = false;
  /** Whether more plain bytes are wanted; false once every question is answered. */
  #wanting = true;
  /** Set while a compressed page is inflated beside the stream. */
  #inflater: Transform | undefined;
  #fed = 0;
  /** end()'s decision, waiting for the inflater to give up what it has. */
  #settled: (() => void) | undefined;

  constructor(listeners: PageListener | readonly PageListener[] | (() => void)) {
    this.#listeners =
      typeof listeners === 'function' ? [{ ended: listeners }] : Array.isArray(listeners) ? listeners : [listeners];
  }

  start(statusCode: number, encoding?: string): void {
    this.#status = statusCode;
    if (statusCode !== 200) return;
    const inflater = inflaterFor(encoding);
    if (inflater === undefined) this.#wanting = false;
    if (inflater === null || inflater === undefined) return;
    this.#inflater = inflater;
    inflater.on('data', (plain: Buffer) => {
      if (this.#wanting) this.#wanting = this.#plain(plain);
      if (!this.#wanting) this.#stopInflating();
    });
    inflater.once('error', () => this.#stopInflating());
    inflater.once('end', () => this.#stopInflating());
  }

  data(chunk: Buffer): boolean {
    if (this.#status !== 200 || !this.#wanting) return false;
    if (this.#inflater === undefined) {
      this.#wanting = this.#plain(chunk);
      return this.#wanting;
    }
    this.#fed += chunk.length;
    this.#inflater.write(chunk);
    return this.#fed < LAST_PAGE_SCAN_BYTES;
  }

  /** Reads more of the page's plain bytes; true while more are wanted. */
  #plain(chunk: Buffer): boolean {
    if (this.#verdict === 'last') return this.#scan(chunk);
    const head = this.#head === undefined ? chunk : Buffer.concat([this.#head, chunk]);
    const window = head.length > HEAD_BYTES ? head.subarray(0, HEAD_BYTES) : head;
    this.#verdict = pageEnds(window);
    if (this.#verdict === 'more') {
      this.#head = undefined;
      if (hasRows(window)) for (const listener of this.#listeners) listener.rows?.();
      return false;
    }
    if (this.#verdict === 'last') {
      this.#head = undefined;
      return this.#scan(head);
    }
    if (head.length >= HEAD_BYTES) {
      this.#head = undefined;
      return false;
    }
    this.#head = head;
    return true;
  }

  /** Looks for the last page's state and error name in `chunk`; false once both are known or the bound is hit. */
  #scan(chunk: Buffer): boolean {
    const text = this.#carry + chunk.toString('latin1');
    this.#scanned += chunk.length;
    this.#state ??= STATE.exec(text)?.[1];
    this.#errorName ??= ERROR_NAME.exec(text)?.[1];
    this.#error ||= text.includes('"error"');
    this.#carry = text.slice(-CARRY_BYTES);
    return (this.#state === undefined || this.#errorName === undefined) && this.#scanned < LAST_PAGE_SCAN_BYTES;
  }

  /** Decides at once for a plain page; for a compressed one, the promise settles once decided. */
  end(complete: boolean): Promise<void> | undefined {
    const inflater = this.#inflater;
    if (inflater === undefined) {
      this.#decide(complete);
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.#settled = () => {
        this.#decide(complete);
        resolve();
      };
      inflater.end();
    });
  }

  #stopInflating(): void {
    const inflater = this.#inflater;
    if (inflater === undefined) return;
    this.#inflater = undefined;
    this.#wanting = false;
    this.#head = undefined;
    inflater.removeAllListeners('data');
    inflater.on('error', () => undefined);
    inflater.destroy();
    const settled = this.#settled;
    this.#settled = undefined;
    settled?.();
  }

  #decide(complete: boolean): void {
    let end: PageEnd | undefined;
    if (this.#status === 404 || this.#status === 410) end = FORGOTTEN;
    else if (complete && this.#status === 200 && this.#verdict === 'last') {
      end = endOf(this.#state, this.#errorName, this.#error);
    }
    if (end !== undefined) for (const listener of this.#listeners) listener.ended(end);
  }
}

/**
 * The observer for a follow-up of a running query, or undefined when nobody listens. A DELETE
 * (except a stage's partial cancel) ends the query whatever the cluster answers.
 */
export function watchQuery(
  method: string,
  path: string,
  listeners: readonly PageListener[],
): ResponseObserver | undefined {
  if (listeners.length === 0) return undefined;
  if (method !== 'DELETE') return new PageEndWatch(listeners);
  if (path.includes('/partialCancel/')) return undefined;
  return {
    start: () => {},
    data: () => false,
    end: () => {
      for (const listener of listeners) listener.ended(CANCELLED);
    },
  };
}
