#include "daemon/app/agent_routing.hpp"

#include <spdlog/spdlog.h>

namespace xiaoer::app {

std::vector<chat::Candidate> AgentRouting::candidates() {
  const auto accounts = auth_.accounts();
  const std::map<std::string, AgentPresence::State> presence = presence_.snapshot();
  std::vector<chat::Candidate> out;
  for (const auto& [name, account] : accounts->by_name) {
    const auto state = presence.find(name);
    if (state == presence.end() || !state->second.online()) continue;
    out.push_back({name, account.capacity, state->second.took_ms});
  }
  return out;
}

void AgentRouting::opened(const std::string& ticket) {
  if (service_ == nullptr || !auth_.console().auto_assign) return;
  std::vector<chat::Candidate> online = candidates();
  if (online.empty()) return;  // it waits in line for a claim
  service_->assign(ticket, std::move(online), [this, ticket](const std::string& agent) {
    presence_.took(agent);
    spdlog::info("ticket {} assigned to agent {}", ticket, agent);
  });
}

void AgentRouting::tick() {
  const std::int64_t grace_ms = auth_.console().disconnect_grace_ms;
  if (service_ == nullptr || grace_ms == 0) return;
  const auto accounts = auth_.accounts();
  std::vector<std::string> names;
  names.reserve(accounts->by_name.size());
  for (const auto& [name, account] : accounts->by_name) names.push_back(name);
  for (const std::string& agent : presence_.absent(names, grace_ms)) service_->release_unanswered(agent);
}

}  // namespace xiaoer::app
