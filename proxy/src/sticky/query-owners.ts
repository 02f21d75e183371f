// Which cluster owns a query id (and which cluster issued an OAuth2 token id): local cache, then
// the shared store, then — for query ids only — asking every registered cluster in parallel.
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger, Registry } from '@junction/shared';
import { request } from 'undici';
import { clientUser } from '../http/trino-headers.js';
import type { StickyKey, StickyStore } from './store.js';

export type LookupOutcome = 'stored' | 'discovered' | 'unknown' | 'store-error';

export interface QueryOwnersOptions {
  readonly store: StickyStore;
  readonly queryIdTtlMs: number;
  readonly oauthTtlMs: number;
  readonly lookupTimeoutMs: number;
  readonly logger: Logger;
  readonly onLookup?: (outcome: LookupOutcome) => void;
  readonly onStoreError?: (error: unknown) => void;
}

const queryKey = (id: string): StickyKey => ({ kind: 'query', id });
const oauthKey = (id: string): StickyKey => ({ kind: 'oauth', id });

export class QueryOwners {
  readonly #discoveries = new Map<string, Promise<string | undefined>>();

  constructor(readonly options: QueryOwnersOptions) {}

  /** The owning cluster's name, or undefined when no registered cluster knows the query. */
  async owner(queryId: string, registry: Registry, headers: IncomingHttpHeaders): Promise<string | undefined> {
    const stored = await this.#get(queryKey(queryId));
    if (stored !== undefined) {
      this.options.onLookup?.('stored');
      return stored;
    }
    let discovery = this.#discoveries.get(queryId);
    if (discovery === undefined) {
      discovery = this.#discover(queryId, registry, headers).finally(() => this.#discoveries.delete(queryId));
      this.#discoveries.set(queryId, discovery);
    }
    const found = await discovery;
    this.options.onLookup?.(found === undefined ? 'unknown' : 'discovered');
    return found;
  }

  /** Remembers the owner of a new query. Resolves even when the shared store is down (logged). */
  async record(queryId: string, cluster: string): Promise<void> {
    await this.#set(queryKey(queryId), cluster, this.options.queryIdTtlMs);
  }

  /** Pins an OAuth2 token/initiate id to the cluster whose challenge named it. */
  async pinOAuth(id: string, cluster: string): Promise<void> {
    await this.#set(oauthKey(id), cluster, this.options.oauthTtlMs);
  }

  oauthOwner(id: string): Promise<string | undefined> {
    return this.#get(oauthKey(id));
  }

  async #get(key: StickyKey): Promise<string | undefined> {
    try {
      return await this.options.store.get(key);
    } catch (error) {
      this.options.onLookup?.('store-error');
      this.options.onStoreError?.(error);
      return undefined;
    }
  }

  async #set(key: StickyKey, cluster: string, ttlMs: number): Promise<void> {
    try {
      await this.options.store.set(key, cluster, ttlMs);
    } catch (error) {
      this.options.onStoreError?.(error);
      this.options.logger.warn('could not store a sticky mapping; other replicas will have to discover it', {
        key: key.kind,
        id: key.id,
        cluster,
        error: String(error),
      });
    }
  }

  /** Asks every registered cluster `GET /v1/query/{id}`; the first to answer 200 owns it. */
  async #discover(queryId: string, registry: Registry, headers: IncomingHttpHeaders): Promise<string | undefined> {
    const clusters = [...registry.clusters.values()];
    if (clusters.length === 0) return undefined;
    const probeHeaders: Record<string, string> = { 'x-trino-user': clientUser(headers) || 'junction' };
    if (headers.authorization !== undefined) probeHeaders.authorization = headers.authorization;
    const signal = AbortSignal.timeout(this.options.lookupTimeoutMs);
    const asks = clusters.map(async (cluster) => {
      const response = await request(`${cluster.url}/v1/query/${encodeURIComponent(queryId)}`, {
        method: 'GET',
        headers: probeHeaders,
        signal,
      });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`${cluster.name} answered ${response.statusCode}`);
      return cluster.name;
    });
    let owner: string | undefined;
    try {
      owner = await Promise.any(asks);
    } catch {
      return undefined;
    }
    await this.#set(queryKey(queryId), owner, this.options.queryIdTtlMs);
    return owner;
  }
}
