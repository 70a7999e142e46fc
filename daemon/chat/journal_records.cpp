#include "daemon/chat/journal_records.hpp"

#include <nlohmann/json.hpp>

namespace xiaoer::chat::records {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json context_json(const nlu::Context& c) {
  json slots = json::array();
  for (const auto& [name, value] : c.slots.entries()) slots.push_back({name, value});
  return {{"awaiting", c.awaiting}, {"slots", slots}, {"unresolved", c.unresolved}, {"replies", c.replies}};
}

json line_json(const queue::TranscriptLine& line) { return {{"from", line.from}, {"text", line.text}, {"ts", line.ts_ms}}; }

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t num(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

queue::TranscriptLine line_from(const json& j) { return {str(j, "from"), str(j, "text"), num(j, "ts")}; }

}  // namespace

std::string answer(std::string_view chat, std::string_view id, std::string_view frame, const nlu::Context& context) {
  return dump({{"t", "answer"}, {"chat", chat}, {"id", id}, {"frame", frame}, {"ctx", context_json(context)}});
}

std::string resend(std::string_view chat, std::string_view id) {
  return dump({{"t", "resend"}, {"chat", chat}, {"id", id}});
}

std::string open(const queue::Ticket& t) {
  json transcript = json::array();
  for (const auto& l : t.transcript) transcript.push_back(line_json(l));
  return dump({{"t", "open"},
               {"ticket", t.id},
               {"chat", t.chat},
               {"reason", t.reason},
               {"priority", t.priority},
               {"ts", t.opened_ms},
               {"state", t.state == queue::TicketState::kClaimed ? "claimed" : "waiting"},
               {"agent", t.agent},
               {"notice_sent", t.notice_sent},
               {"last_agent_reply_ms", t.last_agent_reply_ms},
               {"transcript", transcript}});
}

std::string line(std::string_view ticket, const queue::TranscriptLine& l) {
  json j = line_json(l);
  j["t"] = "line";
  j["ticket"] = ticket;
  return dump(j);
}

std::string claim(std::string_view ticket, std::string_view agent) {
  return dump({{"t", "claim"}, {"ticket", ticket}, {"agent", agent}});
}

std::string release(std::string_view ticket, std::string_view agent) {
  return dump({{"t", "release"}, {"ticket", ticket}, {"agent", agent}});
}

std::string agent_reply(std::string_view ticket, std::string_view agent, std::string_view text, std::int64_t ts) {
  return dump({{"t", "agent_reply"}, {"ticket", ticket}, {"agent", agent}, {"text", text}, {"ts", ts}});
}

std::string resolve(std::string_view ticket) { return dump({{"t", "resolve"}, {"ticket", ticket}}); }

std::string notice(std::string_view ticket, std::int64_t ts) {
  return dump({{"t", "notice"}, {"ticket", ticket}, {"ts", ts}});
}

std::optional<Record> parse(std::string_view payload, std::string* error) {
  const json j = json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *error = "not a JSON object";
    return std::nullopt;
  }
  Record r;
  r.type = str(j, "t");
  r.chat = str(j, "chat");
  r.id = str(j, "id");
  r.frame = str(j, "frame");
  r.ticket = str(j, "ticket");
  r.agent = str(j, "agent");
  r.text = str(j, "text");
  r.from = str(j, "from");
  r.ts = num(j, "ts");
  if (const auto ctx = j.find("ctx"); ctx != j.end() && ctx->is_object()) {
    r.context.awaiting = str(*ctx, "awaiting");
    r.context.unresolved = static_cast<int>(num(*ctx, "unresolved"));
    r.context.replies = static_cast<std::uint32_t>(num(*ctx, "replies"));
    if (const auto slots = ctx->find("slots"); slots != ctx->end() && slots->is_array()) {
      for (const auto& pair : *slots) {
        if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
          r.context.slots.set(pair[0].get<std::string>(), pair[1].get<std::string>());
        }
      }
    }
  }
  if (r.type == "open") {
    queue::Ticket& t = r.full;
    t.id = r.ticket;
    t.chat = r.chat;
    t.reason = str(j, "reason");
    t.priority = static_cast<int>(num(j, "priority"));
    t.opened_ms = r.ts;
    t.state = str(j, "state") == "claimed" ? queue::TicketState::kClaimed : queue::TicketState::kWaiting;
    t.agent = r.agent;
    const auto notice_sent = j.find("notice_sent");
    t.notice_sent = notice_sent != j.end() && notice_sent->is_boolean() && notice_sent->get<bool>();
    t.last_agent_reply_ms = num(j, "last_agent_reply_ms");
    if (const auto lines = j.find("transcript"); lines != j.end() && lines->is_array()) {
      for (const auto& l : *lines) {
        if (l.is_object()) t.transcript.push_back(line_from(l));
      }
    }
  }
  static constexpr std::string_view kTypes[] = {"answer", "resend", "open", "line", "claim",
                                                "release", "agent_reply", "resolve", "notice"};
  if (std::find(std::begin(kTypes), std::end(kTypes), r.type) == std::end(kTypes)) {
    *error = "unknown record type '" + r.type + "'";
    return std::nullopt;
  }
  const bool needs_chat = r.type == "answer" || r.type == "resend" || r.type == "open";
  if ((needs_chat && r.chat.empty()) || (!needs_chat && r.ticket.empty()) || (r.type == "open" && r.ticket.empty()) ||
      (r.type == "answer" && (r.id.empty() || r.frame.empty()))) {
    *error = "record '" + r.type + "' is missing a field";
    return std::nullopt;
  }
  return r;
}

}  // namespace xiaoer::chat::records
