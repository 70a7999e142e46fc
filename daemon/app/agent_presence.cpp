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
  State& s = state_of(agent);
  s.away = away;
  s.away_ms = clock_.now_ms();
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
  std::map<std::string, State> out = by_agent_;
  for (const auto& [agent, choice] : away_elsewhere_) {
    State& s = out[agent];
    if (choice.first > s.away_ms) s.away = choice.second;
  }
  return out;
}

std::vector<auth::AgentSeen> AgentPresence::here() {
  std::lock_guard lock(mutex_);
  std::vector<auth::AgentSeen> out;
  for (const auto& [agent, s] : by_agent_) {
    if (s.connections > 0 || s.away_ms != 0) out.push_back({agent, s.connections > 0, s.away, s.away_ms});
  }
  return out;
}

void AgentPresence::elsewhere(const std::vector<auth::AgentSeen>& seen) {
  const std::int64_t now = clock_.now_ms();
  std::lock_guard lock(mutex_);
  for (auto& [agent, s] : by_agent_) s.connected_elsewhere = false;
  away_elsewhere_.clear();
  for (const auth::AgentSeen& other : seen) {
    if (other.connected) {
      State& s = state_of(other.agent);
      s.connected_elsewhere = true;
      s.seen_ms = now;  // there: the grace period starts when it leaves
      s.lapsed = false;
    }
    auto& choice = away_elsewhere_[other.agent];
    if (other.away_ms > choice.first) choice = {other.away_ms, other.away};
  }
}

std::vector<std::string> AgentPresence::absent(const std::vector<std::string>& agents, std::int64_t grace_ms) {
  const std::int64_t now = clock_.now_ms();
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (const std::string& agent : agents) {
    State& s = state_of(agent);
    if (s.connected() || s.lapsed || now - s.seen_ms < grace_ms) continue;
    s.lapsed = true;
    out.push_back(agent);
  }
  return out;
}

}  // namespace xiaoer::app
