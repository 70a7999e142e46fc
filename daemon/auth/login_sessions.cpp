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
  Shared opened{sha256_hex(token), agent, now_ms + ttl_ms};
  Changed changed;
  {
    std::lock_guard lock(mutex_);
    forget_expired(now_ms);
    by_token_hash_[opened.token_hash] = Entry{agent, opened.expires_ms};
    changed = changed_here();
  }
  if (changed) changed(opened);
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
  Changed changed;
  {
    std::lock_guard lock(mutex_);
    const auto it = by_token_hash_.find(key);
    if (it == by_token_hash_.end()) return;
    by_token_hash_.erase(it);
    changed = changed_here();
  }
  if (changed) changed(Shared{key, {}, 0});
}

void LoginSessions::close_agent(const std::string& agent) {
  std::vector<Shared> closed;
  Changed changed;
  {
    std::lock_guard lock(mutex_);
    for (auto it = by_token_hash_.begin(); it != by_token_hash_.end();) {
      if (it->second.agent != agent) {
        ++it;
        continue;
      }
      closed.push_back(Shared{it->first, {}, 0});
      it = by_token_hash_.erase(it);
    }
    if (closed.empty()) return;
    changed = changed_here();
  }
  if (changed) {
    for (const Shared& session : closed) changed(session);
  }
}

LoginSessions::Changed LoginSessions::changed_here() {
  save();
  ++generation_;
  return changed_;
}

void LoginSessions::share(Changed changed) {
  std::lock_guard lock(mutex_);
  changed_ = std::move(changed);
}

void LoginSessions::apply(const Shared& session) {
  std::lock_guard lock(mutex_);
  if (session.expires_ms == 0) {
    if (by_token_hash_.erase(session.token_hash) == 0) return;
  } else {
    by_token_hash_[session.token_hash] = Entry{session.agent, session.expires_ms};
  }
  save();
}

std::uint64_t LoginSessions::generation() {
  std::lock_guard lock(mutex_);
  return generation_;
}

bool LoginSessions::replace(const std::vector<Shared>& sessions, std::uint64_t read_at, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (generation_ != read_at) return false;
  by_token_hash_.clear();
  for (const Shared& session : sessions) {
    if (session.expires_ms > now_ms) by_token_hash_[session.token_hash] = Entry{session.agent, session.expires_ms};
  }
  save();
  return true;
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
