// Where the proxy remembers which cluster owns a query (and which cluster issued an OAuth2 token
// id). The contract below holds for every implementation; one test suite checks them all.

/**
 * Contract:
 * - `set` is durable once its promise resolves: any replica's `get` sees it until `ttlMs` elapses.
 *   A mapping names the owner for its whole life; writing the same key again replaces it.
 * - `get` resolves `undefined` for unknown or expired keys and never throws for a missing key.
 * - Both reject (never hang past the store's command timeout) when the backing store is unreachable;
 *   callers decide how to degrade.
 * - A key names what is pinned (a query id, or an OAuth2 token/initiate id) and its id; the two
 *   kinds never collide. Values are cluster names.
 */
export interface StickyStore {
  set(key: StickyKey, cluster: string, ttlMs: number): Promise<void>;
  get(key: StickyKey): Promise<string | undefined>;
  close(): Promise<void>;
}

export type StickyKind = 'query' | 'oauth';

export interface StickyKey {
  readonly kind: StickyKind;
  readonly id: string;
}

/** One map per kind, so implementations index by the id itself and never build a combined key. */
export function byKind<V>(make: () => V): Record<StickyKind, V> {
  return { query: make(), oauth: make() };
}
