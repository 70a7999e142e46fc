// The reply deadline (SLA) of a ticket and what the console adds to a
// ticket's view: pure functions.
#pragma once

#include <cstdint>

#include "daemon/chat/chat_options.hpp"
#include "daemon/proto/frames.hpp"

namespace xiaoer::chat {

// When the buyer's oldest message not yet answered by an agent is due: its
// time plus options.sla_ms (sla_complaint_ms for a complaint). A ticket
// whose transcript has no buyer line counts from its opening. 0 when an
// agent's line follows the last buyer line (nothing is owed).
std::int64_t sla_deadline_ms(const proto::TicketView& ticket, const ChatOptions& options);

// The reply deadlines of `ticket` missed that fell in [from_ms, until_ms):
// each run of buyer lines has one (from its oldest line, as above), missed
// when no agent line came by it: one came later, or none by `until_ms`
// (now for an open ticket, its resolution for a resolved one).
int missed_deadlines(const proto::TicketView& ticket, const ChatOptions& options, std::int64_t from_ms,
                     std::int64_t until_ms);

}  // namespace xiaoer::chat
