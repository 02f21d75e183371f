// The scripts of one query or entry: its leases (bind, release, renew) and its life as an entry (complete,
// fail, poll, forget, cancel). Each reads and writes in one step; all are idempotent.
import { PRELUDE } from './redis-lua-common.js';

/** KEYS[9] holder(id), [10] holder(queryId). ARGV[5] id, [6] queryId, [7] leaseMs. Returns 1 if moved. */
export const BIND = `${PRELUDE}
local id, queryId, leaseMs = ARGV[5], ARGV[6], tonumber(ARGV[7])
local held = redis.call('HMGET', KEYS[9], 'cluster', 'buckets', 'lease')
if not held[1] or tonumber(held[3]) <= NOW then return 0 end
free(id)
hold(queryId, held[1], cjson.decode(held[2]), NOW + leaseMs)
-- What tracked() lists; renew's hold() keeps it (HSET leaves other fields alone).
redis.call('HSET', KEYS[10], 'boundAt', NOW_S)
return 1
`;

/** KEYS[9] holder. ARGV[5] id. Returns the cluster whose slot it freed, or nil. */
export const RELEASE = `${PRELUDE}
local cluster = free(ARGV[5])
if cluster then return cluster end
return nil
`;

/** KEYS[9] holder. ARGV[5] id, [6] leaseMs. Returns 1 if renewed (a live lease), else 0. */
export const RENEW = `${PRELUDE}
local id, leaseMs = ARGV[5], tonumber(ARGV[6])
local held = redis.call('HMGET', KEYS[9], 'cluster', 'buckets', 'lease')
if not held[1] or tonumber(held[3]) <= NOW then return 0 end
hold(id, held[1], cjson.decode(held[2]), NOW + leaseMs)
return 1
`;

/** KEYS[9] entry. ARGV[5] id, [6] response. Returns 1 if the entry was dispatching and is now released. */
export const COMPLETE = `${PRELUDE}
local id = ARGV[5]
local entry = readEntry(id)
if not entry or entry.state ~= 'dispatching' then return 0 end
deactivate(id, entry)
redis.call('HSET', KEYS[9], 'state', 'released', 'response', ARGV[6], 'releasedAt', NOW_S)
redis.call('PEXPIRE', KEYS[9], math.max(1, math.ceil(RETAIN)))
redis.call('PUBLISH', CHANNEL, id)
return 1
`;

/** KEYS[9] entry, [10] holder. ARGV[5] id, [6] errorName, [7] message. Returns the freed cluster or nil. */
export const FAIL = `${PRELUDE}
local id = ARGV[5]
local entry = readEntry(id)
if not entry or (entry.state ~= 'queued' and entry.state ~= 'dispatching') then return nil end
local cluster = failEntry(id, entry, ARGV[6], ARGV[7])
if cluster then return cluster end
return nil
`;

/**
 * KEYS[9] entry. ARGV[5] id. Marks the poll; returns state, group, enqueuedAt, cluster, response,
 * releasedAt, errorName, message (missing fields nil), or nil for an unknown id.
 */
export const POLL = `${PRELUDE}
local id = ARGV[5]
local fields = redis.call('HMGET', KEYS[9], 'state', 'group', 'enqueuedAt', 'cluster', 'response', 'releasedAt',
  'errorName', 'message')
if not fields[1] then return nil end
redis.call('ZADD', K_POLLS, NOW, id)
extend(K_POLLS, RETAIN)
-- An answer still being fetched stays at least retainMs after the last poll.
if fields[1] == 'released' or fields[1] == 'failed' then extend(KEYS[9], RETAIN) end
return fields
`;

/** KEYS[9] entry. ARGV[5] id. Deletes a released or failed entry. */
export const FORGET = `${PRELUDE}
local state = redis.call('HGET', KEYS[9], 'state')
if state ~= 'released' and state ~= 'failed' then return 0 end
redis.call('DEL', KEYS[9])
redis.call('ZREM', K_POLLS, ARGV[5])
return 1
`;

/** KEYS[9] entry. ARGV[5] id. Removes a queued entry; returns 1, or 0 when unknown or past queued. */
export const CANCEL = `${PRELUDE}
local id = ARGV[5]
local entry = readEntry(id)
if not entry or entry.state ~= 'queued' then return 0 end
unqueue(id, entry)
redis.call('DEL', KEYS[9])
redis.call('ZREM', K_POLLS, id)
return 1
`;
