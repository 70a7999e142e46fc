// AgentAccounts: the named agents who may log in to the console, as kept in
// agents.yaml (docs/console.md):
//
//   agents:
//     li:   {secret_hash: "pbkdf2-sha256$…", supervisor: false, capacity: 5}
//     wang: {secret_hash: "…", supervisor: true}
//
// Loaded whole at start and on reload (a bad file keeps the running set);
// edited by `xiaoerd agent`, which replaces the file atomically.
//
// Thread safety: plain data; a loaded set is immutable, share it freely.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/common/diagnostic.hpp"

namespace xiaoer::auth {

struct AgentAccount {
  std::string secret_hash;  // hash_secret()
  bool supervisor = false;
  int capacity = 5;  // open chats at most (auto-assignment respects it)
};

struct AgentAccounts {
  std::map<std::string, AgentAccount> by_name;

  const AgentAccount* find(std::string_view name) const;
};

// Whether `name` may name an agent: 1 to 32 of [a-z0-9_.-], starting with a
// letter or digit (it appears in frames, logs and metric labels).
bool valid_agent_name(std::string_view name);

struct LoadedAccounts {
  AgentAccounts accounts;
  common::Diagnostics diagnostics;
};

// Reads `path`; a missing file is an empty set (no named agents yet), any
// other problem a diagnostic with file:line:col.
LoadedAccounts load_accounts(const std::string& path);
LoadedAccounts parse_accounts(const std::string& file_name, std::string_view text);

// The file's text for `accounts` (names in order).
std::string render_accounts(const AgentAccounts& accounts);

// Writes `accounts` to `path` atomically (a temporary file in the same
// directory, fsync, rename), mode 0600; false with `error` set on failure.
bool save_accounts(const std::string& path, const AgentAccounts& accounts, std::string* error);

}  // namespace xiaoer::auth
