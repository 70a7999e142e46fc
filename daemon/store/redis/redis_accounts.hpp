// The console's agent accounts on Redis (store.backend: redis): key
// <prefix>agents holds the agents file's text (auth::render_accounts), one
// set for every daemon on that Redis. `xiaoerd agent` edits it here and
// publishes {"origin":"xiaoerd agent","accounts":true} on <prefix>events;
// each daemon then reads the key again (RedisStore::share_accounts). The
// first to find no key (a daemon starting, or the tool) writes it from its
// agents file, so moving a shop to Redis keeps its accounts.
//
// This side is synchronous (hiredis's blocking API, with a timeout): for
// the command-line tool, never a daemon's thread.
//
// Thread safety: free functions, each with its own connection.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "daemon/auth/agent_accounts.hpp"
#include "daemon/store/redis/redis_endpoint.hpp"

namespace xiaoer::store::redis {

inline constexpr std::string_view kAccountsKey = "agents";
// The event that tells the daemons the accounts changed.
std::string accounts_event();

// Reads the accounts (`seed` when Redis holds none yet), lets `change` edit
// them, and writes them back when it returns true, atomically: if another
// edit came between the read and the write, all of it runs again. false
// with `error` when Redis cannot be reached or holds accounts that do not
// parse (file:line:col of "redis <prefix>agents").
bool edit_accounts(const RedisEndpoint& endpoint, const std::string& prefix, const auth::AgentAccounts& seed,
                   const std::function<bool(auth::AgentAccounts&)>& change, std::string* error,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The name the accounts' diagnostics carry.
std::string accounts_source(const std::string& prefix);

}  // namespace xiaoer::store::redis
