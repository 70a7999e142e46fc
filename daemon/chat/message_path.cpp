#include "daemon/chat/message_path.hpp"

#include <algorithm>
#include <string>

#include "daemon/engine/decision.hpp"

namespace xiaoer::chat {
namespace {

const proto::Answer* find_answered(const ChatState& chat, std::string_view id) {
  for (auto it = chat.answered.rbegin(); it != chat.answered.rend(); ++it) {
    if ((*it)->id == id) return &(*it)->answer;
  }
  return nullptr;
}

// Token bucket: `burst` messages at once, refilled at `rate` a second.
bool take_token(ChatState& chat, std::int64_t now, const ChatOptions& o) {
  if (chat.tokens < 0) {
    chat.tokens = o.burst;
    chat.refilled_ms = now;
  }
  chat.tokens = std::min<double>(o.burst, chat.tokens + (now - chat.refilled_ms) * o.messages_per_second / 1000.0);
  chat.refilled_ms = now;
  if (chat.tokens < 1) return false;
  chat.tokens -= 1;
  return true;
}

bool open_now(const reply::BusinessHours& hours, int minute) {
  if (hours.open_minute == hours.close_minute) return true;
  if (hours.open_minute < hours.close_minute) return minute >= hours.open_minute && minute < hours.close_minute;
  return minute >= hours.open_minute || minute < hours.close_minute;  // past midnight
}

std::string topic_label(const engine::Outcome& o) {
  if (o.topics.empty()) return "none";
  std::string label = o.topics.front();
  for (std::size_t i = 1; i < o.topics.size(); ++i) label += "+" + o.topics[i];
  return label;
}

// With a human already: the line joins the ticket, answered `hold`.
Effect hold(queue::Ticket ticket, ChatState chat, const proto::InboundMessage& m, const queue::TranscriptLine& line) {
  Effect e;
  queue::add_line(ticket, line);
  proto::HoldFrame answer{m.id, m.chat, ticket.id};
  chat.answered.push_back(make_answered(m.id, answer));  // the caller keeps the window's size
  e.changes.emplace_back(change::Held{m.id, ticket.id, line});
  e.sends.answer = std::move(answer);
  e.counts.answer_type = "hold";
  // Agents see the buyer's new line at once (its place in line is not
  // walked here: 0, the console orders by the SLA deadline).
  e.sends.events.emplace_back(proto::TicketEventKind::kUpdated, ticket, 0);
  e.state = std::move(chat);
  e.ticket = std::move(ticket);
  return e;
}

// Opens a ticket with the chat's recent lines; the buyer is told where they
// stand in line (and, out of hours, when humans are back). `rotation`: the
// chat's reply count before this message.
Effect handoff(const Snapshot& s, ChatState chat, const proto::InboundMessage& m, engine::Outcome outcome,
               std::uint32_t rotation, const MessageInputs& in) {
  Effect e;
  queue::Ticket ticket;
  ticket.number = s.next_ticket_number;
  ticket.id = queue::ticket_id(ticket.number);
  ticket.chat = m.chat;
  ticket.reason = std::string(nlu::to_string(outcome.reason));
  ticket.priority = outcome.reason == nlu::HandoffReason::kComplaint ? 1 : 0;
  ticket.opened_ms = in.now_ms;
  ticket.channel = m.channel;
  ticket.buyer_nick = m.buyer_nick;
  ticket.item_id = m.item_id;
  ticket.meta = m.meta;
  ticket.upset = outcome.mood == reply::Mood::kUpset;
  ticket.transcript = chat.recent;
  queue::add_line(ticket, {"bot", outcome.text, in.now_ms});
  int position = 1;  // behind every waiting ticket of its priority or higher
  for (const auto& [priority, count] : s.waiting_by_priority) {
    if (priority >= ticket.priority) position += static_cast<int>(count);
  }

  std::string text = outcome.text;
  const auto add = [&text](std::string part) {
    if (part.empty()) return;
    if (!text.empty()) text += '\n';
    text += part;
  };
  add(in.bot.queue_text(engine::Engine::QueueText::kPosition, position, outcome.mood, m.channel, rotation));
  if (!open_now(in.bot.shop().business_hours, in.minute_of_day)) {
    add(in.bot.queue_text(engine::Engine::QueueText::kAfterHours, position, outcome.mood, m.channel, rotation));
  }
  push_bounded(chat.recent, {"bot", text, in.now_ms}, static_cast<std::size_t>(in.options.transcript_lines));
  proto::HandoffFrame answer{m.id, m.chat, std::move(text), ticket.id, ticket.reason, position};
  chat.answered.push_back(make_answered(m.id, answer));

  e.changes.emplace_back(change::Opened{ticket});
  e.changes.emplace_back(change::Answered{m.id, answer, chat.context});
  e.sends.events.emplace_back(proto::TicketEventKind::kOpened, ticket, position);
  e.sends.answer = std::move(answer);
  e.counts.answer_type = "handoff";
  e.counts.handoff_reason = ticket.reason;
  e.state = std::move(chat);
  e.ticket = std::move(ticket);
  return e;
}

}  // namespace

Effect decide_message(Snapshot s, const proto::InboundMessage& m, const MessageInputs& in) {
  const ChatOptions& o = in.options;
  if (const proto::Answer* answered = find_answered(s.state, m.id)) {
    // Answered again after everything persisted before it: the resend's
    // marker waits its turn.
    Effect e;
    e.chat = m.chat;
    e.version = s.version;
    e.durability = Durability::kBestEffort;
    e.changes.emplace_back(change::Resent{m.id});
    e.sends.answer = *answered;
    e.counts.resend = true;
    return e;
  }
  const std::uint32_t rotation = s.state.context.replies;
  ChatState chat = std::move(s.state);
  chat.last_seen_ms = in.now_ms;
  if (!take_token(chat, in.now_ms, o)) {
    // Nothing changes: the bucket refills the same from its last state.
    Effect e;
    e.chat = m.chat;
    e.version = s.version;
    e.durability = Durability::kBestEffort;
    e.sends.answer = proto::ErrorFrame{m.id, proto::ErrorCode::kRateLimited,
                                       "over " + std::to_string(o.messages_per_second) +
                                           " messages a second in this chat"};
    e.counts.answer_type = "error";
    return e;
  }
  const auto window = static_cast<std::size_t>(o.answered_window);
  const queue::TranscriptLine buyer_line{"buyer", m.text, in.now_ms};
  push_bounded(chat.recent, buyer_line, static_cast<std::size_t>(o.transcript_lines));

  Effect e;
  if (s.ticket) {
    e = hold(std::move(*s.ticket), std::move(chat), m, buyer_line);
  } else {
    engine::Outcome outcome = in.bot.respond(m.text, chat.context, m.channel, {m.item_id, in.live});
    const std::string topic = topic_label(outcome);
    TrafficLine heard{m.text, in.now_ms, m.chat, m.channel, outcome.intents, engine::decision_name(outcome),
                      engine::settled(outcome)};
    chat.context = outcome.next;
    if (outcome.kind == engine::Outcome::Kind::kReply) {
      push_bounded(chat.recent, {"bot", outcome.text, in.now_ms}, static_cast<std::size_t>(o.transcript_lines));
      proto::ReplyFrame answer{m.id, m.chat, outcome.text, std::move(outcome.intents), outcome.confidence};
      chat.answered.push_back(make_answered(m.id, answer));
      e.changes.emplace_back(change::Answered{m.id, answer, chat.context});
      e.sends.answer = std::move(answer);
      e.counts.answer_type = "reply";
      // A bot reply changes no ticket: if the disk is full it still goes
      // out (not durable, so a resend after a crash may be answered anew).
      e.durability = Durability::kBestEffort;
      e.state = std::move(chat);
    } else {
      e = handoff(s, std::move(chat), m, std::move(outcome), rotation, in);
    }
    e.counts.topic = topic;
    e.traffic = std::move(heard);
  }
  // The window keeps the last ids' answers.
  auto& answered = e.state->answered;
  if (answered.size() > window) answered.erase(answered.begin(), answered.end() - static_cast<std::ptrdiff_t>(window));
  e.chat = m.chat;
  e.version = s.version;
  return e;
}

}  // namespace xiaoer::chat
