// The Lua script that appends history events in Redis as one step per batch: fold each event into
// its record (the same rules as mergeHistoryEvent in contract/history.ts), index a new record in the
// stream, follow and fold aliases, and trim the oldest records beyond maxRecords.
//
// KEYS: 1 stream (entries `id <record id>`, oldest first), 2 records hash (id → record JSON),
// 3 aliases hash (cluster query id → record id). ARGV: 1 maxRecords, 2.. one event JSON each.
// Trimming is exact (XRANGE the oldest, HDEL them, XDEL): `XADD MAXLEN ~` would drop stream entries
// without saying which, leaving their records in the hash for ever.
export const APPEND_HISTORY = `
local stream, records, aliases = KEYS[1], KEYS[2], KEYS[3]
local max = tonumber(ARGV[1])

local function merge(rec, ev)
  local ended = rec.endedAt ~= nil
  for k, v in pairs(ev) do
    if k == 'id' then
    elseif k == 'submittedAt' or k == 'firstPageAt' then
      if rec[k] == nil or v < rec[k] then rec[k] = v end
    elseif k == 'endedAt' or k == 'state' or k == 'errorName' then
      if not ended then rec[k] = v end
    else
      rec[k] = v
    end
  end
  return rec
end

for i = 2, #ARGV do
  local ev = cjson.decode(ARGV[i])
  local key = ev.id
  if redis.call('HEXISTS', records, key) == 0 then
    local aliased = redis.call('HGET', aliases, key)
    if aliased then key = aliased end
  end
  local stored = redis.call('HGET', records, key)
  local rec
  if stored then
    rec = merge(cjson.decode(stored), ev)
  else
    rec = merge({}, ev)
    rec.id = key
    redis.call('XADD', stream, '*', 'id', key)
  end
  local alias = ev.queryId
  if alias and alias ~= key then
    redis.call('HSET', aliases, alias, key)
    local early = redis.call('HGET', records, alias)
    if early then
      rec = merge(rec, cjson.decode(early))
      redis.call('HDEL', records, alias)
    end
  end
  redis.call('HSET', records, key, cjson.encode(rec))
end

local over = redis.call('XLEN', stream) - max
if over > 0 then
  local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', over)
  for _, entry in ipairs(oldest) do
    local id = entry[2][2]
    local stored = redis.call('HGET', records, id)
    if stored then
      local queryId = cjson.decode(stored).queryId
      if queryId and redis.call('HGET', aliases, queryId) == id then redis.call('HDEL', aliases, queryId) end
      redis.call('HDEL', records, id)
    end
    redis.call('XDEL', stream, entry[1])
  end
end
return 0
`;
