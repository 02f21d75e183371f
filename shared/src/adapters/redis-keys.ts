// The names of every key and channel Junction keeps in Redis, in one place. Keys that one operation
// touches together share a hash tag ({registry}, {load}, {queue}), so each such operation stays in one
// Redis Cluster slot; the single keys (query and OAuth mappings) spread over the cluster.
export interface RedisKeys {
  /** Query id → cluster mapping. */
  query(queryId: string): string;
  /** OAuth2 token id → issuing cluster. */
  oauth(tokenId: string): string;
  /** Queries routed to a cluster, counted across replicas. All share one hash tag so one MGET reads them. */
  routed(cluster: string): string;
  /**
   * What the operator leader publishes. One hash tag, so the publish script (which touches several of
   * them) runs in Redis Cluster and readers find them on one node.
   */
  readonly registry: {
    /** The snapshot JSON: { generation, publishedAt, clusters, groups }. */
    readonly snapshot: string;
    /** The counter every publish INCRs, across leaders. */
    readonly generation: string;
    /** Hash: field = cluster name, value = JSON ClusterHealth. */
    readonly health: string;
    /** PUBLISH channel; the message is the new generation. */
    readonly changed: string;
  };
  /**
   * Query management's shared state (RedisQueueStore). Every key starts with `base` and so carries the
   * `{queue}` hash tag: one slot in Redis Cluster, so one script may touch any of them. Scripts derive
   * the per-id/cluster/bucket keys from `base` passed in ARGV exactly as these functions do.
   */
  readonly queue: RedisQueueKeys;
}

export interface RedisQueueKeys {
  /** `${prefix}{queue}:`, the start of every queue key. */
  readonly base: string;
  /** Hash: one queue entry (state, payload, info, admission checks, times). */
  entry(id: string): string;
  /** Hash: what a running query holds (cluster, buckets, lease), under the gateway id, then the cluster's query id. */
  holder(id: string): string;
  /** Sorted set: slots held on a cluster, member = holder id, score = lease expiry. */
  slots(cluster: string): string;
  /** Sorted set: places held in an admission bucket, member = holder or entry id, score = expiry. */
  places(bucket: string): string;
  /** Hash: an admission bucket's token bucket (tokens, ts). */
  tokens(bucket: string): string;
  /** Sorted set: a group's entries in state queued or dispatching, score = admission sequence. */
  groupEntries(group: string): string;
  /** Sorted set: the priority classes of a group that have queued entries, score = class index. */
  classes(group: string): string;
  /** List: the share keys of a (group, class) with queued entries, in turn order. */
  rotation(group: string, priority: number): string;
  /** List: the queued entry ids of one share key in a (group, class), FIFO. */
  shareList(group: string, priority: number, shareKey: string): string;
  /** Set: groups with queued entries. */
  readonly groups: string;
  /** Set: clusters that may have slots (swept). */
  readonly clusters: string;
  /** Set: buckets that may have places (swept). */
  readonly buckets: string;
  /** Sorted set: every entry in state queued or dispatching, score = admission sequence. */
  readonly active: string;
  /** Sorted set: queued entries by maxWait deadline. */
  readonly deadlines: string;
  /** Sorted set: entries by last poll. */
  readonly polls: string;
  /** Sorted set: dispatching entries by dispatch time. */
  readonly dispatching: string;
  /** Counter: the admission sequence (FIFO order across replicas). */
  readonly seq: string;
  /** PUBLISH channel; the message is the id of an entry that became released or failed. */
  readonly settled: string;
}

export function redisKeys(prefix: string): RedisKeys {
  const registry = `${prefix}{registry}`;
  const base = `${prefix}{queue}:`;
  return {
    query: (queryId) => `${prefix}q:${queryId}`,
    oauth: (tokenId) => `${prefix}o:${tokenId}`,
    routed: (cluster) => `${prefix}{load}:routed:${cluster}`,
    registry: Object.freeze({
      snapshot: `${registry}:snapshot`,
      generation: `${registry}:generation`,
      health: `${registry}:health`,
      changed: `${registry}:changed`,
    }),
    queue: Object.freeze({
      base,
      entry: (id: string) => `${base}e:${id}`,
      holder: (id: string) => `${base}h:${id}`,
      slots: (cluster: string) => `${base}s:${cluster}`,
      places: (bucket: string) => `${base}b:${bucket}`,
      tokens: (bucket: string) => `${base}t:${bucket}`,
      groupEntries: (group: string) => `${base}g:${group}`,
      classes: (group: string) => `${base}c:${group}`,
      rotation: (group: string, priority: number) => `${base}r:${group}:${priority}`,
      shareList: (group: string, priority: number, shareKey: string) => `${base}l:${group}:${priority}:${shareKey}`,
      groups: `${base}groups`,
      clusters: `${base}clusters`,
      buckets: `${base}buckets`,
      active: `${base}active`,
      deadlines: `${base}deadlines`,
      polls: `${base}polls`,
      dispatching: `${base}dispatching`,
      seq: `${base}seq`,
      settled: `${base}settled`,
    }),
  };
}
