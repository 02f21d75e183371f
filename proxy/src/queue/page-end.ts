// Whether a statement page is a query's last, read from its first bytes without holding the page
// up: Trino writes `nextUri` before `columns`, `data`, `stats` and `error`, and only when the query
// goes on — so the first of these keys to appear decides it.
import type { ResponseObserver } from '../upstream/forwarder.js';

const HEAD_BYTES = 4096;
const NEXT = Buffer.from('"nextUri"');
const LATER = [Buffer.from('"columns"'), Buffer.from('"data"'), Buffer.from('"stats"'), Buffer.from('"error"')];

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

/**
 * Calls `ended` once the response shows the query is over on its cluster: a complete 200 page whose
 * head has no nextUri, or a 404/410 (the cluster no longer knows the query). A 5xx or a cut
 * response decides nothing; the query's lease covers those.
 */
export class PageEndWatch implements ResponseObserver {
  #status = 0;
  #head: Buffer | undefined;
  #verdict: 'more' | 'last' | undefined;

  constructor(private readonly ended: () => void) {}

  start(statusCode: number): void {
    this.#status = statusCode;
  }

  data(chunk: Buffer): boolean {
    if (this.#status !== 200) return false;
    const head = this.#head === undefined ? chunk : Buffer.concat([this.#head, chunk]);
    this.#verdict = pageEnds(head.length > HEAD_BYTES ? head.subarray(0, HEAD_BYTES) : head);
    if (this.#verdict !== undefined || head.length >= HEAD_BYTES) {
      this.#head = undefined;
      return false;
    }
    this.#head = head;
    return true;
  }

  end(complete: boolean): void {
    if (this.#status === 404 || this.#status === 410) this.ended();
    else if (complete && this.#status === 200 && this.#verdict === 'last') this.ended();
  }
}
