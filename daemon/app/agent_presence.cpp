#include "daemon/app/agent_presence.hpp"

namespace xiaoer::app {

void AgentPresence::connected(const std::string& agent) {
  std::lock_guard lock(mutex_);
  ++by_agent_[agent].connections;
}

void AgentPresence::disconnected(const std::string& agent) {
  std::lock_guard lock(mutex_);
  const auto it = by_agent_.find(agent);
  if (it != by_agent_.end() && it->second.connections > 0) --it->second.connections;
}

void AgentPresence::set_away(const std::string& agent, bool away) {
  std::lock_guard lock(mutex_);
  by_agent_[agent].away = away;
}

std::map<std::string, AgentPresence::State> AgentPresence::snapshot() {
  std::lock_guard lock(mutex_);
  return by_agent_;
}

}  // namespace xiaoer::app
