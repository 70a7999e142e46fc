#include "daemon/auth/login_sessions.hpp"

#include "daemon/auth/secret_hash.hpp"

namespace xiaoer::auth {

std::string LoginSessions::open(const std::string& agent, std::int64_t now_ms, std::int64_t ttl_ms) {
  std::string token = random_hex(32);
  std::lock_guard lock(mutex_);
  forget_expired(now_ms);
  by_token_hash_[sha256_hex(token)] = Entry{agent, now_ms + ttl_ms};
  return token;
}

std::optional<std::string> LoginSessions::find(std::string_view token, std::int64_t now_ms) {
  if (token.empty()) return std::nullopt;
  const std::string key = sha256_hex(token);
  std::lock_guard lock(mutex_);
  const auto it = by_token_hash_.find(key);
  if (it == by_token_hash_.end()) return std::nullopt;
  if (it->second.expires_ms <= now_ms) {
    by_token_hash_.erase(it);
    return std::nullopt;
  }
  return it->second.agent;
}

void LoginSessions::close(std::string_view token) {
  const std::string key = sha256_hex(token);
  std::lock_guard lock(mutex_);
  by_token_hash_.erase(key);
}

void LoginSessions::close_agent(const std::string& agent) {
  std::lock_guard lock(mutex_);
  std::erase_if(by_token_hash_, [&](const auto& entry) { return entry.second.agent == agent; });
}

bool LoginSessions::has_session(const std::string& agent, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  for (const auto& [key, entry] : by_token_hash_) {
    if (entry.agent == agent && entry.expires_ms > now_ms) return true;
  }
  return false;
}

std::size_t LoginSessions::size() {
  std::lock_guard lock(mutex_);
  return by_token_hash_.size();
}

void LoginSessions::forget_expired(std::int64_t now_ms) {
  std::erase_if(by_token_hash_, [&](const auto& entry) { return entry.second.expires_ms <= now_ms; });
}

}  // namespace xiaoer::auth
