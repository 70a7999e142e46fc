// The effects a decision would make, built by hand for the store tests of
// either kind (tests/store/, the chat service's): one builder per change,
// each from a snapshot, so an effect carries that snapshot's version.
//
// Thread safety: pure functions.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "daemon/chat/effect.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::testing {

// A bot reply to message `id` (best effort), with the chat's context after it.
inline chat::Effect reply(const chat::Snapshot& s, const std::string& id, const std::string& text) {
  chat::Effect e;
  e.chat = s.chat;
  e.version = s.version;
  e.durability = chat::Durability::kBestEffort;
  e.state = s.state;
  e.state->context.replies += 1;
  e.state->answered.push_back(chat::make_answered(id, proto::ReplyFrame{id, s.chat, text, {"size"}, 1}));
  e.changes.emplace_back(chat::change::Answered{id, e.state->answered.back()->answer, e.state->context});
  e.sends.answer = e.state->answered.back()->answer;
  return e;
}

// Ticket T-<next> opened for the chat as a handoff opens it: the ticket
// (one buyer line), the handoff answered as message "h-<chat>" (so the
// daemon committing it carries the chat's route) and the `opened` event.
inline chat::Effect opening(const chat::Snapshot& s, int priority = 0, const std::string& reason = "asked_for_human") {
  chat::Effect e;
  e.chat = s.chat;
  e.version = s.version;
  queue::Ticket t;
  t.number = s.next_ticket_number;
  t.id = queue::ticket_id(t.number);
  t.chat = s.chat;
  t.reason = reason;
  t.priority = priority;
  t.channel = "taobao";
  t.opened_ms = 1000;
  t.transcript.push_back({"buyer", "找人工", 1000});
  e.ticket = t;
  e.state = s.state;
  const std::string id = "h-" + s.chat;
  e.state->answered.push_back(chat::make_answered(id, proto::HandoffFrame{id, s.chat, "稍等", t.id, reason, 1}));
  e.changes.emplace_back(chat::change::Opened{t});
  e.changes.emplace_back(chat::change::Answered{id, e.state->answered.back()->answer, {}});
  proto::TicketView view;
  view.id = t.id;
  view.chat = s.chat;
  e.sends.events.push_back({proto::TicketEventKind::kOpened, view});
  return e;
}

// The buyer's line `text` (message `id`) joins the chat's ticket: a hold.
inline chat::Effect holding(const chat::Snapshot& s, const std::string& id, const std::string& text) {
  chat::Effect e;
  e.chat = s.chat;
  e.version = s.version;
  queue::Ticket t = *s.ticket;
  const queue::TranscriptLine line{"buyer", text, 5};
  queue::add_line(t, line);
  e.ticket = t;
  e.state = s.state;
  e.state->answered.push_back(chat::make_answered(id, proto::HoldFrame{id, s.chat, t.id}));
  e.changes.emplace_back(chat::change::Held{id, t.id, line});
  return e;
}

// `agent` claims the chat's ticket (no capacity: set e.taker for one).
inline chat::Effect claiming(const chat::Snapshot& s, const std::string& agent) {
  chat::Effect e;
  e.chat = s.chat;
  e.version = s.version;
  queue::Ticket t = *s.ticket;
  EXPECT_TRUE(queue::claim(t, agent));
  e.ticket = t;
  e.changes.emplace_back(chat::change::Claimed{t.id, agent});
  return e;
}

// `agent`, who holds the chat's ticket, answers the buyer: one push.
inline chat::Effect agent_reply(const chat::Snapshot& s, const std::string& agent, const std::string& text) {
  chat::Effect e;
  e.chat = s.chat;
  e.version = s.version;
  queue::Ticket t = *s.ticket;
  EXPECT_TRUE(queue::record_agent_reply(t, agent, text, 2000));
  e.ticket = t;
  e.changes.emplace_back(chat::change::AgentReplied{t.id, agent, text, 2000});
  e.sends.pushes.push_back(proto::AgentReplyFrame{s.chat, text, agent, t.id, ""});
  return e;
}

// The chat's ticket resolved: the route to its gateway closes.
inline chat::Effect resolving(const chat::Snapshot& s) {
  chat::Effect e;
  e.chat = s.chat;
  e.version = s.version;
  e.resolved_ticket = s.ticket->id;
  e.changes.emplace_back(chat::change::Resolved{s.ticket->id});
  e.sends.route_closed = true;
  return e;
}

}  // namespace xiaoer::testing
