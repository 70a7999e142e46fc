// The Redis store's Lua scripts: each is one atomic step on the server
// (redis_store.hpp names the keys). Every script takes the key prefix as
// ARGV[1] and builds its keys from it, so one Redis may hold several shops
// (one prefix each); they are not cluster-safe (no KEYS declared), and
// Redis Cluster is not supported.
//
// Thread safety: constants.
#pragma once

#include <string>
#include <string_view>

namespace xiaoer::store::redis::scripts {

struct Script {
  std::string body;
  std::string sha1;  // hex, for EVALSHA
};

// ARGV: prefix, chat, want_position ("1"/"0").
// → {version, state JSON, ticket JSON, position, ticket_seq, {priority, waiting}…,
//    {agent, claimed tickets}…}
const Script& load();

// ARGV: prefix, chat, expected version, state JSON ("" unchanged), chat ttl
// ms, opening number (""), resolved id (""), now ms, put id (""),
// put JSON, put priority, put number, put waiting ("1"/"0"), route owner
// (""), event body (""), taker agent (""), taker capacity ("0": no limit),
// this daemon, dead after ms (a route's daemon not heard of as carrying
// gateway connections for that long: this one takes the chat's pushes),
// push count, then id, number, JSON per push.
// → {0} refused (version moved, number taken, the taker at capacity), or
// {1, new version, route owner, resolved entry ("" none)}
const Script& commit();

// ARGV: prefix, full ("1": the resolved tickets and stock too, and the
// per-agent claim counts rebuilt from the open tickets), this daemon,
// whether it carries gateway connections ("1"/"0"), dead after ms, route ttl ms.
// → {{open ticket JSON}…, {push id, push JSON}…, {resolved entry}…, {stock record}…,
//    {push id taken over}…}
const Script& mirror();

// ARGV: prefix, this daemon, timeout ms, then agent, connected ("1"/"0"),
// away ("1"/"0"), away ms for each agent this daemon sees. Replaces this
// daemon's entries in hash `presence` ("<daemon>|<agent>" → "<Redis ms>
// <connected> <away> <away ms>"), drops those of daemons silent past the
// timeout. → {agent, connected, away, away ms}… as the other daemons see them
const Script& presence();

// ARGV: prefix, token hash, agent, expires ms ("0": closed), now ms, event.
// Sets or removes the login session in hash `sessions` ("<expires> <agent>";
// an opening also drops the expired ones) and publishes the event. → 1
const Script& session();

}  // namespace xiaoer::store::redis::scripts
