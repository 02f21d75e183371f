// Where the proxy remembers which cluster owns a query (and which cluster issued an OAuth2 token
// id). The contract below holds for every implementation; one test suite checks them all.

/**
 * Contract:
 * - `set` is durable once its promise resolves: any replica's `get` sees it until `ttlMs` elapses.
 *   A mapping names the owner for its whole life; writing the same key again replaces it.
 * - `get` resolves `undefined` for unknown or expired keys and never throws for a missing key.
 * - Both reject (never hang past the store's command timeout) when the backing store is unreachable;
 *   callers decide how to degrade.
 * - Keys are opaque strings of the caller (`query:<id>`, `oauth:<id>`); values are cluster names.
 */
export interface StickyStore {
  set(key: string, cluster: string, ttlMs: number): Promise<void>;
  get(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}
