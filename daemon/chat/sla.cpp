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

}  // namespace xiaoer::chat
