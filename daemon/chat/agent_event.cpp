#include "daemon/chat/agent_event.hpp"

#include <utility>

#include "daemon/chat/ticket_view.hpp"

namespace xiaoer::chat {

AgentEvent::AgentEvent(proto::TicketEventKind kind, queue::Ticket ticket, int position, bool resolved)
    : kind(kind), ticket_(Changed{std::move(ticket), position, resolved}) {}

AgentEvent::AgentEvent(proto::TicketEventKind kind, proto::TicketView shown) : kind(kind), ticket_(std::move(shown)) {}

const std::string& AgentEvent::ticket_id() const {
  if (const auto* changed = std::get_if<Changed>(&ticket_)) return changed->ticket.id;
  return std::get<proto::TicketView>(ticket_).id;
}

proto::TicketView AgentEvent::view() const {
  const auto* changed = std::get_if<Changed>(&ticket_);
  if (changed == nullptr) return std::get<proto::TicketView>(ticket_);
  proto::TicketView shown = chat::view(changed->ticket, changed->position);
  if (changed->resolved) shown.state = "resolved";
  return shown;
}

}  // namespace xiaoer::chat
