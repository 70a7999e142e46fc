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
// Thread safety: every member may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

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

 private:
  struct Entry {
    std::string agent;
    std::int64_t expires_ms = 0;
  };
  void forget_expired(std::int64_t now_ms);  // caller holds mutex_
  void save();                               // caller holds mutex_; logs a failure

  std::mutex mutex_;
  std::unordered_map<std::string, Entry> by_token_hash_;
  std::string path_;  // "": memory only
};

}  // namespace xiaoer::auth
