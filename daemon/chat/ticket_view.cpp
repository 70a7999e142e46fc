#include "daemon/chat/ticket_view.hpp"

namespace xiaoer::chat {

proto::TicketView view(const queue::Ticket& t, int position) {
  proto::TicketView v;
  v.id = t.id;
  v.chat = t.chat;
  v.reason = t.reason;
  v.state = t.state == queue::TicketState::kClaimed ? "claimed" : "waiting";
  v.agent = t.agent;
  v.priority = t.priority;
  v.position = position;
  v.opened_ms = t.opened_ms;
  v.channel = t.channel;
  v.buyer_nick = t.buyer_nick;
  v.item_id = t.item_id;
  v.meta = t.meta;
  v.transcript.reserve(t.transcript.size());
  for (const auto& line : t.transcript) v.transcript.push_back({line.from, line.text, line.ts_ms, line.agent});
  return v;
}

}  // namespace xiaoer::chat
