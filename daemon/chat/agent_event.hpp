// AgentEvent: a change of a ticket for the agents to see, as a decision
// returns it. What they see (a TicketView: the whole transcript, each line
// a copy) is built from it only when an agent is connected to see it: with
// none, a buyer's line on a ticket costs no view. The ticket itself is
// cheap to keep (its transcript is shared).
//
// Thread safety: plain data.
#pragma once

#include <string>
#include <variant>

#include "daemon/proto/frames.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::chat {

struct AgentEvent {
  // This daemon's decision: the ticket after the change, its place in line
  // (0 when claimed or not walked), and whether it was just resolved.
  AgentEvent(proto::TicketEventKind kind, queue::Ticket ticket, int position, bool resolved = false);
  // Shown already (another daemon's event, heard through a shared store).
  AgentEvent(proto::TicketEventKind kind, proto::TicketView shown);

  const std::string& ticket_id() const;
  // What agents see (before the chat service decorates it).
  proto::TicketView view() const;

  proto::TicketEventKind kind = proto::TicketEventKind::kUpdated;

 private:
  struct Changed {
    queue::Ticket ticket;
    int position = 0;
    bool resolved = false;
  };
  std::variant<Changed, proto::TicketView> ticket_;
};

}  // namespace xiaoer::chat
