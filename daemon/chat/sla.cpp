#include "daemon/chat/sla.hpp"

namespace xiaoer::chat {

std::int64_t sla_deadline_ms(const proto::TicketView& ticket, const ChatOptions& options) {
  const std::int64_t sla = ticket.reason == "complaint" ? options.sla_complaint_ms : options.sla_ms;
  // The first buyer line after the last agent line.
  std::int64_t oldest_unanswered = 0;
  bool any_buyer = false;
  for (const proto::TranscriptEntry& line : ticket.transcript) {
    if (line.from == "agent") {
      oldest_unanswered = 0;
    } else if (line.from == "buyer") {
      any_buyer = true;
      if (oldest_unanswered == 0) oldest_unanswered = line.ts;
    }
  }
  if (!any_buyer) return ticket.opened_ms + sla;
  return oldest_unanswered == 0 ? 0 : oldest_unanswered + sla;
}

int missed_deadlines(const proto::TicketView& ticket, const ChatOptions& options, std::int64_t from_ms,
                     std::int64_t until_ms) {
  const std::int64_t sla = ticket.reason == "complaint" ? options.sla_complaint_ms : options.sla_ms;
  bool any_buyer = false;
  for (const proto::TranscriptEntry& line : ticket.transcript) any_buyer = any_buyer || line.from == "buyer";
  // The oldest line of the run waiting for an agent (0: none); with no
  // buyer line, the handoff waits.
  std::int64_t waiting_since = any_buyer ? 0 : ticket.opened_ms;
  int missed = 0;
  const auto close = [&](std::int64_t answered_ms) {
    const std::int64_t deadline = waiting_since + sla;
    if (answered_ms > deadline && deadline >= from_ms && deadline < until_ms) ++missed;
    waiting_since = 0;
  };
  for (const proto::TranscriptEntry& line : ticket.transcript) {
    if (line.from == "buyer" && waiting_since == 0) waiting_since = line.ts;
    if (line.from == "agent" && waiting_since != 0) close(line.ts);
  }
  if (waiting_since != 0) close(until_ms);
  return missed;
}

}  // namespace xiaoer::chat
