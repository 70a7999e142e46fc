#include "daemon/auth/login_sessions.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/auth/private_file.hpp"
#include "daemon/auth/secret_hash.hpp"

namespace xiaoer::auth {

// One line a session: <sha256 hex> <expires ms> <agent>.
bool LoginSessions::keep_in(const std::string& path, std::int64_t now_ms, std::string* error) {
  std::lock_guard lock(mutex_);
  path_ = path;
  std::error_code ignored;  // a directory that cannot be made fails the first save, logged
  if (const auto dir = std::filesystem::path(path).parent_path(); !dir.empty()) {
    std::filesystem::create_directories(dir, ignored);
  }
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return true;
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string hash, expires, agent;
    if (!(fields >> hash >> expires >> agent) || hash.size() != 64) continue;
    std::int64_t expires_ms = 0;
    const auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), expires_ms);
    if (ec != std::errc() || end != expires.data() + expires.size() || expires_ms <= now_ms) continue;
    by_token_hash_[hash] = Entry{agent, expires_ms};
  }
  return true;
}

void LoginSessions::save() {
  if (path_.empty()) return;
  std::string text;
  for (const auto& [hash, entry] : by_token_hash_) {
    text += hash + ' ' + std::to_string(entry.expires_ms) + ' ' + entry.agent + '\n';
  }
  std::string error;
  if (!write_private_file(path_, text, &error)) {
    spdlog::warn("login sessions not saved ({}): a restart would log these browsers out", error);
  }
}

std::string LoginSessions::open(const std::string& agent, std::int64_t now_ms, std::int64_t ttl_ms) {
  std::string token = random_hex(32);
  std::lock_guard lock(mutex_);
  forget_expired(now_ms);
  by_token_hash_[sha256_hex(token)] = Entry{agent, now_ms + ttl_ms};
  save();
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
  if (by_token_hash_.erase(key) > 0) save();
}

void LoginSessions::close_agent(const std::string& agent) {
  std::lock_guard lock(mutex_);
  if (std::erase_if(by_token_hash_, [&](const auto& entry) { return entry.second.agent == agent; }) > 0) save();
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
