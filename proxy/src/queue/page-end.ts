// Whether a statement page is a query's last, read from its first bytes without holding the page
// up: Trino writes `nextUri` before `columns`, `data`, `stats` and `error`, and only when the query
// goes on — so the first of these keys to appear decides it. Compressed pages (real clients send
// Accept-Encoding, and Trino's server compresses) are inflated as far as their head, off to the side.
import type { Transform } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { ResponseObserver } from '../upstream/forwarder.js';

const HEAD_BYTES = 4096;
/** Compressed bytes fed to the inflater at most: a head is far smaller, even barely compressed. */
const COMPRESSED_HEAD_BYTES = 64 * 1024;
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
 * Calls `ended` once the response shows the query is over on its cluster: a complete 200 page whose
 * head has no nextUri, or a 404/410 (the cluster no longer knows the query). A 5xx, a cut response
 * or a head that cannot be read (an unknown encoding) decides nothing; the query's lease covers those.
 */
export class PageEndWatch implements ResponseObserver {
  #status = 0;
  #head: Buffer | undefined;
  #verdict: 'more' | 'last' | undefined;
  /** Set while a compressed head is being inflated; undefined for plain pages. */
  #inflater: Transform | undefined;
  #fed = 0;
  /** Resolves the decision of end() once the inflater has given up all it can. */
  #settled: (() => void) | undefined;
  #done = false;

  constructor(private readonly ended: () => void) {}

  start(statusCode: number, encoding?: string): void {
    this.#status = statusCode;
    if (statusCode !== 200) return;
    const inflater = inflaterFor(encoding);
    if (inflater === undefined) {
      this.#done = true;
      return;
    }
    if (inflater === null) return;
    this.#inflater = inflater;
    inflater.on('data', (plain: Buffer) => {
      if (!this.#done && !this.#see(plain)) this.#stopInflating();
    });
    inflater.once('error', () => this.#stopInflating());
    inflater.once('end', () => this.#stopInflating());
  }

  data(chunk: Buffer): boolean {
    if (this.#status !== 200 || this.#done) return false;
    if (this.#inflater === undefined) return this.#see(chunk);
    this.#fed += chunk.length;
    this.#inflater.write(chunk);
    return this.#fed < COMPRESSED_HEAD_BYTES;
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

  /** Looks at more of the plain head; true while undecided and there is room for more. */
  #see(plain: Buffer): boolean {
    const head = this.#head === undefined ? plain : Buffer.concat([this.#head, plain]);
    this.#verdict = pageEnds(head.length > HEAD_BYTES ? head.subarray(0, HEAD_BYTES) : head);
    if (this.#verdict !== undefined || head.length >= HEAD_BYTES) {
      this.#head = undefined;
      this.#done = true;
      return false;
    }
    this.#head = head;
    return true;
  }

  #stopInflating(): void {
    const inflater = this.#inflater;
    if (inflater === undefined) return;
    this.#inflater = undefined;
    this.#done = true;
    this.#head = undefined;
    inflater.removeAllListeners('data');
    inflater.on('error', () => undefined);
    inflater.destroy();
    const settled = this.#settled;
    this.#settled = undefined;
    settled?.();
  }

  #decide(complete: boolean): void {
    if (this.#status === 404 || this.#status === 410) this.ended();
    else if (complete && this.#status === 200 && this.#verdict === 'last') this.ended();
  }
}
