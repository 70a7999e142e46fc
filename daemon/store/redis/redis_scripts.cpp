#include "daemon/store/redis/redis_scripts.hpp"

#include <openssl/sha.h>

#include <cstdio>
#include <initializer_list>

namespace xiaoer::store::redis::scripts {
namespace {

std::string sha1_hex(std::string_view body) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  std::string hex;
  char byte[3];
  for (const unsigned char b : digest) {
    std::snprintf(byte, sizeof byte, "%02x", b);
    hex += byte;
  }
  return hex;
}

// Scores as the line's: priority first, then number (redis_codec.hpp's
// line_score), formatted whole (Lua's tostring would round them).
constexpr std::string_view kLoad = R"lua(
local p, chat = ARGV[1], ARGV[2]
local c = redis.call('HMGET', p .. 'chat:' .. chat, 'v', 's')
local tid = redis.call('GET', p .. 'chat_ticket:' .. chat)
local ticket, position = '', 0
if tid then
  ticket = redis.call('GET', p .. 'ticket:' .. tid) or ''
  if ARGV[3] == '1' and ticket ~= '' then
    local t = cjson.decode(ticket)
    local score = -(tonumber(t.priority) or 0) * 1099511627776 + tonumber(string.sub(tid, 3))
    position = redis.call('ZCOUNT', p .. 'line', '-inf', '(' .. string.format('%.0f', score)) + 1
  end
end
local seq = redis.call('GET', p .. 'ticket_seq') or '0'
return {c[1] or '0', c[2] or '', ticket, position, seq, redis.call('HGETALL', p .. 'waiting'),
        redis.call('HGETALL', p .. 'held')}
)lua";

// The per-agent count of claimed open tickets (key `held`), kept by the
// commit script and rebuilt by the mirror's full reload: hold() moves the
// count of the agent holding `ticket` (decoded; none while it waits).
constexpr std::string_view kHeld = R"lua(
local function hold(key, ticket, delta)
  local agent = ticket.agent
  if ticket.state ~= 'claimed' or type(agent) ~= 'string' or agent == '' then return end
  if redis.call('HINCRBY', key, agent, delta) <= 0 then redis.call('HDEL', key, agent) end
end
)lua";

// Whether `daemon` carries gateway connections now: it said so at `since`
// (ms, Redis's clock: the daemons' clocks need not agree) or later, in zset
// `gateways`. A chat routed to any other daemon has its pushes taken by one
// that does.
constexpr std::string_view kCarrier = R"lua(
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function carrier(p, daemon, since)
  local seen = redis.call('ZSCORE', p .. 'gateways', daemon)
  return seen ~= false and tonumber(seen) >= since
end
)lua";

constexpr std::string_view kCommit = R"lua(
local p, chat = ARGV[1], ARGV[2]
local ckey = p .. 'chat:' .. chat
local v = redis.call('HGET', ckey, 'v') or '0'
if v ~= ARGV[3] then return {0} end
local held = p .. 'held'
-- The taker's capacity, against the claims committed before this one (the
-- journal store's check, JournalStore::reserve): refused as a conflict.
local capacity = tonumber(ARGV[17])
if ARGV[16] ~= '' and capacity > 0 and tonumber(redis.call('HGET', held, ARGV[16]) or '0') >= capacity then
  return {0}
end
-- A ticket opens with a number no ticket took (numbers offered to decisions
-- that did not hand off are skipped: TicketNumberOffers): above the last one
-- taken, or below it while free. Refusing every number below the last one
-- taken made two daemons' concurrent handoffs refuse each other round after
-- round (each commit outdated the other daemon's offers) until buyers were
-- answered 'unavailable'. A number stays marked taken for a day, far longer
-- than a decision is in flight; an open ticket of that number (taken by a
-- daemon of an earlier version, which marks none) counts too.
if ARGV[6] ~= '' then
  local number = tonumber(ARGV[6])
  local seq = tonumber(redis.call('GET', p .. 'ticket_seq') or '0')
  if number <= seq and redis.call('EXISTS', p .. 'ticket:T-' .. ARGV[6]) == 1 then return {0} end
  if not redis.call('SET', p .. 'ticket_taken:' .. ARGV[6], '1', 'NX', 'PX', 86400000) then return {0} end
  if number > seq then redis.call('SET', p .. 'ticket_seq', ARGV[6]) end
end
local nv = redis.call('INCR', p .. 'version_seq')
if ARGV[4] ~= '' then redis.call('HSET', ckey, 's', ARGV[4]) end
redis.call('HSET', ckey, 'v', nv)
redis.call('PEXPIRE', ckey, ARGV[5])
local function leave_line(id, priority)
  if redis.call('ZREM', p .. 'line', id) == 1 then
    if redis.call('HINCRBY', p .. 'waiting', priority, -1) <= 0 then redis.call('HDEL', p .. 'waiting', priority) end
  end
end
local entry = ''
if ARGV[7] ~= '' then
  local id = ARGV[7]
  local t = redis.call('GET', p .. 'ticket:' .. id)
  if t then
    local closing = cjson.decode(t)
    hold(held, closing, -1)
    leave_line(id, string.format('%d', tonumber(closing.priority) or 0))
    entry = '{"at":' .. ARGV[8] .. ',"ticket":' .. cjson.encode(t) .. '}'
    redis.call('LPUSH', p .. 'resolved', entry)
    redis.call('LTRIM', p .. 'resolved', 0, 19999)
  end
  redis.call('ZREM', p .. 'open', id)
  redis.call('DEL', p .. 'ticket:' .. id)
  if redis.call('GET', p .. 'chat_ticket:' .. chat) == id then redis.call('DEL', p .. 'chat_ticket:' .. chat) end
end
if ARGV[9] ~= '' then
  local id, priority, number = ARGV[9], ARGV[11], ARGV[12]
  local before = redis.call('GET', p .. 'ticket:' .. id)
  if before then hold(held, cjson.decode(before), -1) end
  hold(held, cjson.decode(ARGV[10]), 1)
  redis.call('SET', p .. 'ticket:' .. id, ARGV[10])
  redis.call('SET', p .. 'chat_ticket:' .. chat, id)
  redis.call('ZADD', p .. 'open', number, id)
  if ARGV[13] == '1' then
    local score = string.format('%.0f', -tonumber(priority) * 1099511627776 + tonumber(number))
    if redis.call('ZADD', p .. 'line', 'NX', score, id) == 1 then redis.call('HINCRBY', p .. 'waiting', priority, 1) end
  else
    leave_line(id, priority)
  end
end
if ARGV[14] ~= '' then redis.call('SET', p .. 'route:' .. chat, ARGV[14], 'PX', ARGV[5]) end
local owner = redis.call('GET', p .. 'route:' .. chat) or ''
local n = tonumber(ARGV[20])
if n > 0 and (owner == '' or not carrier(p, owner, now_ms() - tonumber(ARGV[19]))) then
  -- No daemon with a gateway carries the chat: the committing one sends
  -- its pushes (or, without a gateway itself, one that has takes them).
  owner = ARGV[18]
  redis.call('SET', p .. 'route:' .. chat, owner, 'PX', ARGV[5])
end
for i = 0, n - 1 do
  redis.call('ZADD', p .. 'pushes', ARGV[22 + i * 3], ARGV[21 + i * 3])
  redis.call('HSET', p .. 'push_frames', ARGV[21 + i * 3], ARGV[23 + i * 3])
end
if ARGV[15] ~= '' then
  local resolved = entry ~= '' and entry or 'null'
  redis.call('PUBLISH', p .. 'events', '{"owner":' .. cjson.encode(owner) .. ',"resolved":' .. resolved .. ',' .. ARGV[15])
end
return {1, nv, owner, entry}
)lua";

constexpr std::string_view kMirror = R"lua(
local p = ARGV[1]
local open = {}
-- A full reload also rebuilds `held` from the open tickets (a store
-- written before it was kept, or changed by hand).
if ARGV[2] == '1' then redis.call('DEL', p .. 'held') end
for _, id in ipairs(redis.call('ZRANGE', p .. 'open', 0, -1)) do
  local t = redis.call('GET', p .. 'ticket:' .. id)
  if t then
    open[#open + 1] = t
    if ARGV[2] == '1' then hold(p .. 'held', cjson.decode(t), 1) end
  end
end
-- This daemon's heartbeat, while it carries gateway connections; it then
-- takes the pushes of chats routed to a daemon that no longer does (gone,
-- or its gateway moved away), and their routes.
local me, ttl, now = ARGV[3], ARGV[6], now_ms()
local since = now - tonumber(ARGV[5])
local carrying = ARGV[4] == '1'
if carrying then redis.call('ZADD', p .. 'gateways', now, me) else redis.call('ZREM', p .. 'gateways', me) end
redis.call('ZREMRANGEBYSCORE', p .. 'gateways', '-inf', '(' .. string.format('%.0f', since))
local pushes, taken, moved = {}, {}, {}  -- moved: chat → whether its route came here now
for _, id in ipairs(redis.call('ZRANGE', p .. 'pushes', 0, -1)) do
  local body = redis.call('HGET', p .. 'push_frames', id)
  if body then
    pushes[#pushes + 1] = id
    pushes[#pushes + 1] = body
    -- A body that does not decode (written by hand) is left where it is.
    local decoded, push = false, nil
    if carrying then decoded, push = pcall(cjson.decode, body) end
    local chat = decoded and type(push) == 'table' and push.chat
    if type(chat) == 'string' then
      if moved[chat] == nil then
        local route_key = p .. 'route:' .. chat
        local route = redis.call('GET', route_key)
        moved[chat] = route ~= me and (not route or not carrier(p, route, since))
        if moved[chat] then redis.call('SET', route_key, me, 'PX', ttl) end
      end
      if moved[chat] then taken[#taken + 1] = id end
    end
  end
end
local resolved, stock = {}, {}
if ARGV[2] == '1' then
  resolved = redis.call('LRANGE', p .. 'resolved', 0, -1)
  stock = redis.call('LRANGE', p .. 'stock', 0, -1)
end
return {open, pushes, resolved, stock, taken}
)lua";

constexpr std::string_view kSession = R"lua(
local p = ARGV[1]
local key = p .. 'sessions'
if ARGV[4] == '0' then
  redis.call('HDEL', key, ARGV[2])
else
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local expires = tonumber(string.match(all[i + 1], '^%d+'))
    if expires and expires <= tonumber(ARGV[5]) then redis.call('HDEL', key, all[i]) end
  end
  redis.call('HSET', key, ARGV[2], ARGV[4] .. ' ' .. ARGV[3])
end
redis.call('PUBLISH', p .. 'events', ARGV[6])
return 1
)lua";

constexpr std::string_view kPresence = R"lua(
local p, me, timeout = ARGV[1], ARGV[2], tonumber(ARGV[3])
local key = p .. 'presence'
local now = now_ms()
local mine = {}
for i = 4, #ARGV, 4 do
  mine[ARGV[i]] = true
  redis.call('HSET', key, me .. '|' .. ARGV[i], now .. ' ' .. ARGV[i + 1] .. ' ' .. ARGV[i + 2] .. ' ' .. ARGV[i + 3])
end
local all, out = redis.call('HGETALL', key), {}
for i = 1, #all, 2 do
  local field, value = all[i], all[i + 1]
  local daemon, agent = string.match(field, '^(.-)|(.*)$')
  local at, connected, away, away_ms = string.match(value, '^(%d+) (%d) (%d) (%d+)$')
  if not daemon then
    redis.call('HDEL', key, field)  -- not one of ours (written by hand)
  elseif daemon == me then
    if not mine[agent] then redis.call('HDEL', key, field) end
  elseif not at or tonumber(at) < now - timeout then
    redis.call('HDEL', key, field)  -- its daemon has not told for too long: gone
  else
    out[#out + 1] = agent
    out[#out + 1] = connected
    out[#out + 1] = away
    out[#out + 1] = away_ms
  end
end
return out
)lua";

// A script whose body is `parts` joined, with its digest.
Script script_of(std::initializer_list<std::string_view> parts) {
  std::string body;
  for (const std::string_view part : parts) body += part;
  std::string sha1 = sha1_hex(body);
  return Script{std::move(body), std::move(sha1)};
}

}  // namespace

const Script& load() {
  static const Script script = script_of({kLoad});
  return script;
}

const Script& commit() {
  static const Script script = script_of({kHeld, kCarrier, kCommit});
  return script;
}

const Script& mirror() {
  static const Script script = script_of({kHeld, kCarrier, kMirror});
  return script;
}

const Script& session() {
  static const Script script = script_of({kSession});
  return script;
}

const Script& presence() {
  static const Script script = script_of({kCarrier, kPresence});
  return script;
}

}  // namespace xiaoer::store::redis::scripts
