#include "daemon/chat/assignment.hpp"

#include <tuple>

#include "daemon/chat/agent_operations.hpp"

namespace xiaoer::chat {
namespace {

Effect no_change(const Snapshot& s) {
  Effect e;
  e.chat = s.chat;
  e.version = s.version;
  e.durability = Durability::kBestEffort;
  return e;
}

proto::AgentCommand command(proto::AgentOp op, const std::string& ticket) {
  proto::AgentCommand c;
  c.op = op;
  c.ticket = ticket;
  return c;
}

}  // namespace

std::optional<Candidate> choose_agent(const std::vector<Candidate>& candidates,
                                      const std::map<std::string, int>& held) {
  std::optional<Candidate> best;
  int best_free = 0;
  for (const Candidate& c : candidates) {
    const auto it = held.find(c.agent);
    const int room = c.capacity - (it == held.end() ? 0 : it->second);
    if (room <= 0) continue;
    // Better: more free, then idle longer (earlier), then the name first.
    if (!best || std::tie(room, best->idle_since_ms, best->agent) > std::tie(best_free, c.idle_since_ms, c.agent)) {
      best = c;
      best_free = room;
    }
  }
  return best;
}

Effect decide_assign(const Snapshot& s, const std::string& ticket, const std::vector<Candidate>& candidates,
                     std::int64_t now_ms) {
  if (!s.ticket || s.ticket->id != ticket || s.ticket->state != queue::TicketState::kWaiting) return no_change(s);
  const std::optional<Candidate> chosen = choose_agent(candidates, s.held_by_agent);
  if (!chosen) return no_change(s);
  return decide_agent(s, command(proto::AgentOp::kClaim, ticket), chosen->agent, now_ms, false, chosen->capacity);
}

bool answered_by(const queue::Ticket& ticket, const std::string& agent) {
  for (const queue::TranscriptLine& line : ticket.transcript) {
    if (line.from == "agent" && line.agent == agent) return true;
  }
  return false;
}

Effect decide_lapse(const Snapshot& s, const std::string& ticket, const std::string& agent, std::int64_t now_ms) {
  if (!s.ticket || s.ticket->id != ticket || s.ticket->state != queue::TicketState::kClaimed ||
      s.ticket->agent != agent || answered_by(*s.ticket, agent)) {
    return no_change(s);
  }
  return decide_agent(s, command(proto::AgentOp::kRelease, ticket), agent, now_ms);
}

}  // namespace xiaoer::chat
