#include "daemon/store/journal/records.hpp"

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/common/json_fields.hpp"
#include "daemon/common/json_writer.hpp"
#include "daemon/proto/codec.hpp"

namespace xiaoer::store::records {
using common::string_field;
using common::int_field;
namespace {

using nlohmann::json;

// Writes {"t": type, ...}: records are written on every message, so
// without building a DOM (common::JsonWriter).
template <typename Body>
std::string record(std::string_view type, Body&& body) {
  return common::typed_object("t", type, std::forward<Body>(body), 384);
}

void write_context(common::JsonWriter& w, const nlu::Context& c) {
  w.key("ctx").begin_object().field("awaiting", c.awaiting).key("slots").begin_array();
  for (const auto& [name, value] : c.slots.entries()) w.begin_array().value(name).value(value).end_array();
  w.end_array().key("unresolved").value(c.unresolved).key("replies").value(c.replies).end_object();
}

void write_line(common::JsonWriter& w, const queue::TranscriptLine& line) {
  w.field("from", line.from).field("text", line.text).key("ts").value(line.ts_ms);
  if (!line.agent.empty()) w.field("agent", line.agent);
}

queue::TranscriptLine line_from(const json& j) {
  return {string_field(j, "from"), string_field(j, "text"), int_field(j, "ts"), string_field(j, "agent")};
}

}  // namespace

std::string answer(std::string_view chat, std::string_view id, std::string_view frame, const nlu::Context& context,
                   bool window_copy) {
  return record("answer", [&](common::JsonWriter& w) {
    w.field("chat", chat).field("id", id).field("frame", frame);
    write_context(w, context);
    if (window_copy) w.key("w").value(true);
  });
}

std::string resend(std::string_view chat, std::string_view id) {
  return record("resend", [&](common::JsonWriter& w) { w.field("chat", chat).field("id", id); });
}

std::string hold(std::string_view chat, std::string_view id, std::string_view ticket, const queue::TranscriptLine& l) {
  return record("hold", [&](common::JsonWriter& w) {
    w.field("chat", chat).field("id", id).field("ticket", ticket).field("text", l.text).key("ts").value(l.ts_ms);
  });
}

namespace {

// The whole ticket (open, done).
void write_ticket(common::JsonWriter& w, const queue::Ticket& t) {
  w.field("ticket", t.id).field("chat", t.chat).field("reason", t.reason);
  w.key("priority").value(t.priority).key("ts").value(t.opened_ms);
  w.field("state", t.state == queue::TicketState::kClaimed ? "claimed" : "waiting").field("agent", t.agent);
  w.key("notice_sent").value(t.notice_sent).key("last_agent_reply_ms").value(t.last_agent_reply_ms);
  if (!t.channel.empty()) w.field("channel", t.channel);
  if (!t.buyer_nick.empty()) w.field("buyer_nick", t.buyer_nick);
  if (!t.item_id.empty()) w.field("item_id", t.item_id);
  if (!t.meta.empty()) {
    w.key("meta").begin_array();
    for (const auto& [key, value] : t.meta) w.begin_array().value(key).value(value).end_array();
    w.end_array();
  }
  if (t.upset) w.key("upset").value(true);
  w.key("transcript").begin_array();
  for (const auto& l : t.transcript) {
    w.begin_object();
    write_line(w, l);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

std::string open(const queue::Ticket& t) {
  return record("open", [&](common::JsonWriter& w) { write_ticket(w, t); });
}

std::string done(const queue::Ticket& t, std::int64_t resolved_ms) {
  return record("done", [&](common::JsonWriter& w) {
    write_ticket(w, t);
    w.key("resolved_ts").value(resolved_ms);
  });
}

std::string line(std::string_view ticket, const queue::TranscriptLine& l) {
  return record("line", [&](common::JsonWriter& w) {
    w.field("ticket", ticket);
    write_line(w, l);
  });
}

std::string claim(std::string_view ticket, std::string_view agent) {
  return record("claim", [&](common::JsonWriter& w) { w.field("ticket", ticket).field("agent", agent); });
}

std::string release(std::string_view ticket, std::string_view agent) {
  return record("release", [&](common::JsonWriter& w) { w.field("ticket", ticket).field("agent", agent); });
}

std::string agent_reply(std::string_view ticket, std::string_view agent, std::string_view text, std::int64_t ts) {
  return record("agent_reply", [&](common::JsonWriter& w) {
    w.field("ticket", ticket).field("agent", agent).field("text", text).key("ts").value(ts);
  });
}

std::string resolve(std::string_view ticket, std::int64_t ts) {
  return record("resolve", [&](common::JsonWriter& w) {
    w.field("ticket", ticket);
    if (ts != 0) w.key("ts").value(ts);
  });
}

std::string notice(std::string_view ticket, std::int64_t ts) {
  return record("notice", [&](common::JsonWriter& w) { w.field("ticket", ticket).key("ts").value(ts); });
}

std::string push(std::string_view chat, std::string_view push_id, std::string_view frame, std::int64_t ts) {
  return record("push", [&](common::JsonWriter& w) {
    w.field("chat", chat).field("id", push_id).field("frame", frame).key("ts").value(ts);
  });
}

std::string ack(const std::vector<std::string>& push_ids) {
  return record("ack", [&](common::JsonWriter& w) {
    w.key("ids").begin_array();
    for (const std::string& id : push_ids) w.value(id);
    w.end_array();
  });
}

std::string push_seq(std::uint64_t issued) {
  return record("push_seq", [&](common::JsonWriter& w) { w.key("n").value(static_cast<std::int64_t>(issued)); });
}

std::string of(std::string_view chat, const chat::Change& change) {
  struct Writer {
    std::string_view chat;
    std::string operator()(const chat::change::Answered& c) const {
      return answer(chat, c.id, proto::encode(c.answer), c.context);
    }
    std::string operator()(const chat::change::Resent& c) const { return resend(chat, c.id); }
    std::string operator()(const chat::change::Held& c) const { return hold(chat, c.id, c.ticket, c.line); }
    std::string operator()(const chat::change::Opened& c) const { return open(c.ticket); }
    std::string operator()(const chat::change::LineAdded& c) const { return line(c.ticket, c.line); }
    std::string operator()(const chat::change::Claimed& c) const { return claim(c.ticket, c.agent); }
    std::string operator()(const chat::change::Released& c) const { return release(c.ticket, c.agent); }
    std::string operator()(const chat::change::AgentReplied& c) const {
      return agent_reply(c.ticket, c.agent, c.text, c.ts);
    }
    std::string operator()(const chat::change::Resolved& c) const { return resolve(c.ticket, c.ts); }
    std::string operator()(const chat::change::NoticeSent& c) const { return notice(c.ticket, c.ts); }
  };
  return std::visit(Writer{chat}, change);
}

std::optional<Record> parse(std::string_view payload, std::string* error) {
  const json j = json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *error = "not a JSON object";
    return std::nullopt;
  }
  Record r;
  r.type = string_field(j, "t");
  r.chat = string_field(j, "chat");
  r.id = string_field(j, "id");
  r.frame = string_field(j, "frame");
  r.ticket = string_field(j, "ticket");
  r.agent = string_field(j, "agent");
  r.text = string_field(j, "text");
  r.from = string_field(j, "from");
  r.ts = int_field(j, "ts");
  if (const auto ctx = j.find("ctx"); ctx != j.end() && ctx->is_object()) {
    r.context.awaiting = string_field(*ctx, "awaiting");
    r.context.unresolved = static_cast<int>(int_field(*ctx, "unresolved"));
    r.context.replies = static_cast<std::uint32_t>(int_field(*ctx, "replies"));
    if (const auto slots = ctx->find("slots"); slots != ctx->end() && slots->is_array()) {
      for (const auto& pair : *slots) {
        if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
          r.context.slots.set(pair[0].get<std::string>(), pair[1].get<std::string>());
        }
      }
    }
  }
  if (const auto ids = j.find("ids"); ids != j.end() && ids->is_array()) {
    for (const auto& id : *ids) {
      if (id.is_string()) r.ids.push_back(id.get<std::string>());
    }
  }
  if (const std::int64_t n = int_field(j, "n"); n > 0) r.n = static_cast<std::uint64_t>(n);
  const auto window_copy = j.find("w");
  r.window_copy = window_copy != j.end() && window_copy->is_boolean() && window_copy->get<bool>();
  r.resolved_ts = int_field(j, "resolved_ts");
  if (r.type == "open" || r.type == "done") {
    queue::Ticket& t = r.full;
    t.id = r.ticket;
    t.chat = r.chat;
    t.reason = string_field(j, "reason");
    t.priority = static_cast<int>(int_field(j, "priority"));
    t.opened_ms = r.ts;
    t.state = string_field(j, "state") == "claimed" ? queue::TicketState::kClaimed : queue::TicketState::kWaiting;
    t.agent = r.agent;
    const auto notice_sent = j.find("notice_sent");
    t.notice_sent = notice_sent != j.end() && notice_sent->is_boolean() && notice_sent->get<bool>();
    t.last_agent_reply_ms = int_field(j, "last_agent_reply_ms");
    t.channel = string_field(j, "channel");
    t.buyer_nick = string_field(j, "buyer_nick");
    t.item_id = string_field(j, "item_id");
    if (const auto meta = j.find("meta"); meta != j.end() && meta->is_array()) {
      for (const auto& pair : *meta) {
        if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
          t.meta.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
        }
      }
    }
    const auto upset = j.find("upset");
    t.upset = upset != j.end() && upset->is_boolean() && upset->get<bool>();
    if (const auto lines = j.find("transcript"); lines != j.end() && lines->is_array()) {
      std::vector<queue::TranscriptLine> read;  // chunked once, not appended line by line
      read.reserve(lines->size());
      for (const auto& l : *lines) {
        if (l.is_object()) read.push_back(line_from(l));
      }
      t.transcript = queue::Transcript(std::move(read));
    }
  }
  static constexpr std::string_view kTypes[] = {"answer", "resend", "hold", "open", "line", "claim",
                                                "release", "agent_reply", "resolve", "notice",
                                                "push",   "ack",    "push_seq", "done"};
  if (std::find(std::begin(kTypes), std::end(kTypes), r.type) == std::end(kTypes)) {
    *error = "unknown record type '" + r.type + "'";
    return std::nullopt;
  }
  if ((r.type == "push" && (r.chat.empty() || r.id.empty() || r.frame.empty())) ||
      (r.type == "ack" && r.ids.empty()) || (r.type == "push_seq" && r.n == 0)) {
    *error = "record '" + r.type + "' is missing a field";
    return std::nullopt;
  }
  if (r.type == "push" || r.type == "ack" || r.type == "push_seq") return r;
  const bool needs_chat =
      r.type == "answer" || r.type == "resend" || r.type == "open" || r.type == "hold" || r.type == "done";
  if ((needs_chat && r.chat.empty()) || (!needs_chat && r.ticket.empty()) ||
      ((r.type == "open" || r.type == "hold" || r.type == "done") && r.ticket.empty()) ||
      (r.type == "answer" && (r.id.empty() || r.frame.empty())) || (r.type == "hold" && r.id.empty())) {
    *error = "record '" + r.type + "' is missing a field";
    return std::nullopt;
  }
  return r;
}

}  // namespace xiaoer::store::records
