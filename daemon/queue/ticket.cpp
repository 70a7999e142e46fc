#include "daemon/queue/ticket.hpp"

#include <charconv>

namespace xiaoer::queue {

std::string ticket_id(std::uint64_t number) { return "T-" + std::to_string(number); }

std::uint64_t ticket_number(std::string_view id) {
  std::uint64_t n = 0;
  if (id.size() > 2 && id.substr(0, 2) == "T-") std::from_chars(id.data() + 2, id.data() + id.size(), n);
  return n;
}

bool claim(Ticket& ticket, const std::string& agent) {
  if (ticket.state != TicketState::kWaiting || agent.empty()) return false;
  ticket.state = TicketState::kClaimed;
  ticket.agent = agent;
  return true;
}

bool release(Ticket& ticket, const std::string& agent) {
  if (ticket.state != TicketState::kClaimed || ticket.agent != agent) return false;
  ticket.state = TicketState::kWaiting;
  ticket.agent.clear();
  return true;
}

bool record_agent_reply(Ticket& ticket, const std::string& agent, std::string text, std::int64_t now_ms) {
  if (ticket.state != TicketState::kClaimed || ticket.agent != agent) return false;
  ticket.last_agent_reply_ms = now_ms;
  add_line(ticket, {"agent", std::move(text), now_ms, agent});
  return true;
}

void add_line(Ticket& ticket, TranscriptLine line) {
  ticket.transcript.push_back(std::move(line), kMaxTranscript);
}

}  // namespace xiaoer::queue
