// LoginSessions: the console's logged-in browsers. A login gives a random
// token (the session cookie's value); the table keeps only its SHA-256,
// the agent's name and an expiry.
//
// Sessions live in this daemon's memory and, once keep_in() names a file
// (console.sessions_file), in that file too, so a restart logs nobody out:
// it holds the same (hash, agent, expiry) lines, never a token (a hash
// cannot be sent back as a cookie), mode 0600, replaced whole at each
// login or logout.
//
// Shared (store.backend: redis, several daemons behind one balancer): every
// session this daemon opens or closes is handed to share()'s callback (the
// store writes it and tells the other daemons), and the others' changes
// come back through apply(); replace() takes the whole shared table (after
// a reconnect), unless a change of this daemon's came meanwhile.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace xiaoer::auth {

class LoginSessions {
 public:
  // Loads the live sessions written in `path` (none if it does not exist)
  // and writes every change there from now on. false with `error` when it
  // exists and cannot be read; unreadable lines are skipped.
  bool keep_in(const std::string& path, std::int64_t now_ms, std::string* error);

  // A new session of `agent` until now + ttl; returns its token.
  std::string open(const std::string& agent, std::int64_t now_ms, std::int64_t ttl_ms);
  // The agent of a live session, or nullopt (unknown or expired).
  std::optional<std::string> find(std::string_view token, std::int64_t now_ms);
  void close(std::string_view token);
  // Ends every session of `agent` (account removed or secret reset).
  void close_agent(const std::string& agent);
  // Whether `agent` has a live session (the supervisor view's "logged in").
  bool has_session(const std::string& agent, std::int64_t now_ms);
  std::size_t size();

  // A session as the daemons sharing a store see it: the token's SHA-256
  // (hex), never the token; expires_ms 0: closed.
  struct Shared {
    std::string token_hash;
    std::string agent;
    std::int64_t expires_ms = 0;
  };
  using Changed = std::function<void(const Shared&)>;
  // From now on `changed` gets every session opened or closed here
  // (outside the lock). Start-up only.
  void share(Changed changed);
  // Another daemon's change.
  void apply(const Shared& session);
  // Counts this daemon's changes: a table read before one of them is stale.
  std::uint64_t generation();
  // The whole shared table, read when generation() was `read_at`; false
  // (nothing replaced) when a change of this daemon's came since.
  bool replace(const std::vector<Shared>& sessions, std::uint64_t read_at, std::int64_t now_ms);

 private:
  struct Entry {
    std::string agent;
    std::int64_t expires_ms = 0;
  };
  void forget_expired(std::int64_t now_ms);  // caller holds mutex_
  void save();                               // caller holds mutex_; logs a failure
  // This daemon changed the table (caller holds mutex_): saved, counted,
  // and the callback to tell the others, to call once the lock is released.
  Changed changed_here();

  std::mutex mutex_;
  std::unordered_map<std::string, Entry> by_token_hash_;
  std::string path_;  // "": memory only
  Changed changed_;
  std::uint64_t generation_ = 0;
};

}  // namespace xiaoer::auth
