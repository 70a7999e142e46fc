// AgentRouting: the tickets the daemon gives or takes back by itself
// (docs/console.md, "Assignment").
//
//   - console.auto_assign: a new ticket goes to the online agent (connected,
//     not away) with the most free capacity, ties to the longest idle;
//   - console.disconnect_grace_s: an agent with no console connection and
//     no request for that long loses the tickets it holds and has not
//     answered (they go back in line); those it answered stay its own until
//     it or a supervisor lets them go.
// Both are decided like an agent's command (chat/assignment.hpp) and
// committed by the store, which checks the taker's capacity.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <string>
#include <vector>

#include "daemon/app/agent_presence.hpp"
#include "daemon/app/authenticator.hpp"
#include "daemon/chat/assignment.hpp"
#include "daemon/service/chat_service.hpp"

namespace xiaoer::app {

class AgentRouting {
 public:
  // Keeps references to both; they must outlive it.
  AgentRouting(Authenticator& auth, AgentPresence& presence) : auth_(auth), presence_(presence) {}
  void attach(service::ChatService& service) { service_ = &service; }

  // Ticket `ticket` was opened: assigned when auto-assignment is on.
  void opened(const std::string& ticket);
  // Periodic (about once a second): absent agents' unanswered tickets.
  void tick();

  // The agents a ticket may be given to now: named accounts connected and
  // not away, with their capacity and how long they have been idle.
  std::vector<chat::Candidate> candidates();

 private:
  Authenticator& auth_;
  AgentPresence& presence_;
  service::ChatService* service_ = nullptr;
};

}  // namespace xiaoer::app
