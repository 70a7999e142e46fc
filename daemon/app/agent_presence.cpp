#include "daemon/app/agent_presence.hpp"

namespace xiaoer::app {

AgentPresence::AgentPresence(const chat::Clock& clock) : clock_(clock), started_ms_(clock.now_ms()) {}

AgentPresence::State& AgentPresence::state_of(const std::string& agent) {
  const auto [it, added] = by_agent_.try_emplace(agent);
  if (added) it->second.seen_ms = started_ms_;
  return it->second;
}

void AgentPresence::connected(const std::string& agent) {
  std::lock_guard lock(mutex_);
  State& s = state_of(agent);
  ++s.connections;
  s.seen_ms = clock_.now_ms();
  s.lapsed = false;
}

void AgentPresence::disconnected(const std::string& agent) {
  std::lock_guard lock(mutex_);
  State& s = state_of(agent);
  if (s.connections > 0) --s.connections;
  s.seen_ms = clock_.now_ms();
}

void AgentPresence::set_away(const std::string& agent, bool away) {
  std::lock_guard lock(mutex_);
  state_of(agent).away = away;
}

void AgentPresence::active(const std::string& agent) {
  std::lock_guard lock(mutex_);
  State& s = state_of(agent);
  s.seen_ms = clock_.now_ms();
  s.lapsed = false;
}

void AgentPresence::took(const std::string& agent) {
  std::lock_guard lock(mutex_);
  state_of(agent).took_ms = clock_.now_ms();
}

std::map<std::string, AgentPresence::State> AgentPresence::snapshot() {
  std::lock_guard lock(mutex_);
  return by_agent_;
}

std::vector<std::string> AgentPresence::absent(const std::vector<std::string>& agents, std::int64_t grace_ms) {
  const std::int64_t now = clock_.now_ms();
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (const std::string& agent : agents) {
    State& s = state_of(agent);
    if (s.connections > 0 || s.lapsed || now - s.seen_ms < grace_ms) continue;
    s.lapsed = true;
    out.push_back(agent);
  }
  return out;
}

}  // namespace xiaoer::app
