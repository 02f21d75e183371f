// client-node's ListWatch (list, then watch from the list's resourceVersion, relist on 410) with the
// two things an operator needs that it lacks: a forced relist and a stop() that is not reported as an error.
import { type KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import type { CacheSource } from './informer.js';
import type { KubeObject } from './kube-types.js';

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type DoneCallback = (err: unknown) => void;

/**
 * client-node's ListWatch with two additions made through its public `watch` seam: `relist()` ends the
 * current watch as if the apiserver answered 410 Gone — the library then relists and diffs the cache,
 * firing delete for objects that vanished — and `stop()` does not report its own abort as an error.
 */
export class RelistableCache implements CacheSource<KubeObject> {
  private readonly cache: ListWatch<KubeObject>;
  private readonly inner: Watch;
  private listedListeners: (() => void)[] = [];
  private endCurrent: (() => void) | undefined;
  private readonly live = new Set<AbortController>();
  private stopped = false;

  constructor(config: KubeConfig, path: string, list: () => Promise<{ items: KubeObject[] }>) {
    this.inner = new Watch(config);
    const seam = {
      watch: (p: string, q: Record<string, unknown>, cb: WatchCallback, done: DoneCallback) =>
        this.watch(p, q, cb, done),
    };
    this.cache = new ListWatch<KubeObject>(path, seam as unknown as Watch, list as never, false);
  }

  on(event: 'add' | 'update' | 'delete', listener: (object: KubeObject) => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  on(event: 'listed', listener: () => void): void;
  on(event: string, listener: (value: never) => void): void {
    if (event === 'listed') this.listedListeners.push(listener as () => void);
    else this.cache.on(event as 'add', listener as (object: KubeObject) => void);
  }

  list(): KubeObject[] {
    return [...this.cache.list()];
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.cache.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.cache.stop();
    for (const controller of this.live) controller.abort();
  }

  relist(): void {
    this.endCurrent?.();
  }

  private async watch(path: string, query: Record<string, unknown>, callback: WatchCallback, done: DoneCallback) {
    // ListWatch calls watch() only with a complete cache: right after a list, or to resume after one.
    for (const listener of this.listedListeners) listener();
    let finished = false;
    let controller: AbortController | undefined;
    const finish = (error: unknown) => {
      if (finished) return;
      finished = true;
      if (this.endCurrent === end) this.endCurrent = undefined;
      done(this.stopped ? null : error);
    };
    // Usable while still connecting: a watch stuck before its response headers is ended too.
    const end = () => {
      finish({ statusCode: 410, message: 'periodic relist' });
      controller?.abort();
    };
    this.endCurrent = end;
    try {
      // Bookmarks keep our resourceVersion fresh, so resuming a watch rarely meets 410.
      controller = await this.inner.watch(path, { ...query, allowWatchBookmarks: true }, callback, finish);
    } catch (error) {
      // Watch reports failures through `done`; a throw (no current cluster) must not leave the cache dead.
      finish(error);
      return new AbortController();
    }
    if (finished || this.stopped) {
      controller.abort();
    } else {
      // ListWatch may lose track of it when an earlier watch() resolves late; stop() aborts it regardless.
      const live = controller;
      this.live.add(live);
      live.signal.addEventListener('abort', () => this.live.delete(live), { once: true });
    }
    return controller;
  }
}
