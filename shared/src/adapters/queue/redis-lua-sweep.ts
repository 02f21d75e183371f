// The housekeeping script (sweep: leases, maxWait, stuck dispatches, abandonment) and the reads that
// need many keys at one instant (snapshot, list, tracked).
import { PRELUDE } from './redis-lua-common.js';

/**
 * KEYS: the common ones only. ARGV[5] abandonAfterMs, [6] dispatchTimeoutMs, [7] batch (entries each rule
 * handles per call at most; the rest wait for the next sweep), [8] EXCEEDED_TIME_LIMIT's name, [9] the stuck
 * error's name, [10] and [11] the stuck message before and after the cluster's name.
 * Returns expired, abandoned, stuck, then the clusters that got slots back.
 */
export const SWEEP = `${PRELUDE}
local abandonAfterMs, dispatchTimeoutMs, batch = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local freed, seen = {}, {}
local function freedOn(cluster)
  if cluster and not seen[cluster] then
    seen[cluster] = true
    freed[#freed + 1] = cluster
  end
end

-- Leases: expired slots go with their holders; the index forgets clusters and buckets with nothing left.
for _, cluster in ipairs(redis.call('SMEMBERS', K_CLUSTERS)) do
  local slots = slotsKey(cluster)
  local gone = redis.call('ZRANGEBYSCORE', slots, '-inf', NOW_S, 'LIMIT', 0, batch)
  for _, id in ipairs(gone) do
    redis.call('ZREM', slots, id)
    redis.call('DEL', holderKey(id))
  end
  if #gone > 0 then freedOn(cluster) end
  if redis.call('ZCARD', slots) == 0 then redis.call('SREM', K_CLUSTERS, cluster) end
end
for _, bucket in ipairs(redis.call('SMEMBERS', K_BUCKETS)) do
  local places = placesKey(bucket)
  redis.call('ZREMRANGEBYSCORE', places, '-inf', NOW_S)
  if redis.call('ZCARD', places) == 0 then redis.call('SREM', K_BUCKETS, bucket) end
end

local expired = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K_DEADLINES, '-inf', NOW_S, 'LIMIT', 0, batch)) do
  local entry = readEntry(id)
  if entry and entry.state == 'queued' then
    failEntry(id, entry, ARGV[8], redis.call('HGET', entryKey(id), 'waitMessage') or '')
    expired = expired + 1
  else
    redis.call('ZREM', K_DEADLINES, id)
  end
end

local stuck = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K_DISPATCHING, '-inf', NOW - dispatchTimeoutMs, 'LIMIT', 0, batch)) do
  local entry = readEntry(id)
  if entry and entry.state == 'dispatching' then
    freedOn(failEntry(id, entry, ARGV[9], ARGV[10] .. entry.cluster .. ARGV[11]))
    stuck = stuck + 1
  else
    redis.call('ZREM', K_DISPATCHING, id)
  end
end

-- Abandonment last, so an entry failed above that nobody polls goes in the same sweep.
local abandoned = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K_POLLS, '-inf', NOW - abandonAfterMs, 'LIMIT', 0, batch)) do
  local entry = readEntry(id)
  if not entry then
    redis.call('ZREM', K_POLLS, id)
  elseif entry.state ~= 'dispatching' then
    if entry.state == 'queued' then unqueue(id, entry) end
    redis.call('DEL', entryKey(id))
    redis.call('ZREM', K_POLLS, id)
    abandoned = abandoned + 1
  end
end

local result = { expired, abandoned, stuck }
for _, cluster in ipairs(freed) do result[#result + 1] = cluster end
return result
`;

/**
 * KEYS: the common ones only. Returns three lists: cluster/count pairs, bucket/count pairs, and per group
 * {group, class, count, class, count, …}; zero counts are left out. Reads only.
 */
export const SNAPSHOT = `${PRELUDE}
local function live(names, keyOf)
  local found = {}
  for _, name in ipairs(names) do
    local count = redis.call('ZCOUNT', keyOf(name), '(' .. NOW_S, '+inf')
    if count > 0 then
      found[#found + 1] = name
      found[#found + 1] = count
    end
  end
  return found
end
local groups = {}
for _, group in ipairs(redis.call('SMEMBERS', K_GROUPS)) do
  local counts = { group }
  for _, priority in ipairs(redis.call('ZRANGE', classesKey(group), 0, -1)) do
    local count = 0
    for _, shareKey in ipairs(redis.call('LRANGE', rotationKey(group, priority), 0, -1)) do
      count = count + redis.call('LLEN', listKey(group, priority, shareKey))
    end
    if count > 0 then
      counts[#counts + 1] = priority
      counts[#counts + 1] = count
    end
  end
  if #counts > 1 then groups[#groups + 1] = counts end
end
return { live(redis.call('SMEMBERS', K_CLUSTERS), slotsKey), live(redis.call('SMEMBERS', K_BUCKETS), placesKey), groups }
`;

/**
 * KEYS[9] a sorted set of entries by admission (one group's, or all). ARGV[5] limit. Returns per entry id,
 * group, priority, shareKey, state, enqueuedAt, user, source, sql, className. Reads only.
 */
export const LIST = `${PRELUDE}
local listed = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[9], 0, tonumber(ARGV[5]) - 1)) do
  local fields = redis.call('HMGET', entryKey(id), 'group', 'priority', 'shareKey', 'state', 'enqueuedAt', 'user',
    'source', 'sql', 'className')
  if fields[1] then
    table.insert(fields, 1, id)
    listed[#listed + 1] = fields
  end
end
return listed
`;

/**
 * KEYS[9] slots(cluster). Returns per live slot held by a bound holder its id and boundAt (reply order
 * is the set's; the store sorts). Reads only.
 */
export const TRACKED = `${PRELUDE}
local tracked = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[9], '(' .. NOW_S, '+inf')) do
  local since = redis.call('HGET', holderKey(id), 'boundAt')
  if since then tracked[#tracked + 1] = { id, since } end
end
return tracked
`;
