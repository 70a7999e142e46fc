// What an agent sees of a ticket.
#pragma once

#include "daemon/proto/frames.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::chat {

// `position`: its place in the waiting line (0 when claimed).
proto::TicketView view(const queue::Ticket& ticket, int position);

}  // namespace xiaoer::chat
