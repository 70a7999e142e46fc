// `xiaoerd agent add|list|remove|reset NAME`: the console's agent accounts
// (docs/console.md). Each change rewrites the agents file atomically (a
// running daemon picks it up on reload), or, with store.backend: redis, the
// accounts on Redis (every daemon applies it at once:
// store/redis/redis_accounts.hpp); add and reset print the new secret once
// (only its hash is kept).
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/auth/agent_accounts.hpp"
#include "daemon/store/redis/redis_endpoint.hpp"

namespace xiaoer::tools {

// Where the accounts are kept.
struct AccountsPlace {
  std::string name;  // for messages: the file's path, or the Redis key
  bool applied_at_once = false;  // the daemons see a change without a reload
  // Reads the accounts, lets `change` edit them and writes them when it
  // returns true; false with `error` when they cannot be read or written.
  std::function<bool(const std::function<bool(auth::AgentAccounts&)>& change, std::string* error)> edit;
};

// The agents file `path`.
AccountsPlace accounts_file(const std::string& path);
// The accounts on Redis under `prefix`; `seed_file`'s when it holds none yet.
AccountsPlace accounts_on_redis(const store::redis::RedisEndpoint& endpoint, const std::string& prefix,
                                const std::string& seed_file);

// `args` after "agent", without --config (main resolves the file from it):
//   add NAME [--supervisor] [--capacity N] | list | remove NAME | reset NAME
//   | set NAME [--supervisor|--no-supervisor] [--capacity N]
// Returns the exit status: 0 done, 1 failed, 2 bad usage.
int run_agent(const std::vector<std::string>& args, const AccountsPlace& place, std::ostream& out, std::ostream& err);

}  // namespace xiaoer::tools
