// LoginSessions: the console's logged-in browsers. A login gives a random
// token (the session cookie's value); the table keeps only its SHA-256,
// the agent's name and an expiry.
//
// Sessions live in this daemon's memory: a restart logs every browser out
// (the page logs in again). A shared store would keep them beside the
// accounts' presence (docs/console.md).
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

  std::mutex mutex_;
  std::unordered_map<std::string, Entry> by_token_hash_;
};

}  // namespace xiaoer::auth
