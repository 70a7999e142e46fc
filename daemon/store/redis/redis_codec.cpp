#include "daemon/store/redis/redis_codec.hpp"

#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/common/json_fields.hpp"
#include "daemon/proto/codec.hpp"
#include "daemon/store/journal/records.hpp"

namespace xiaoer::store::redis {
using common::string_field;
using common::int_field;
namespace {

using nlohmann::json;

}  // namespace

std::string encode_chat_state(const chat::ChatState& s) {
  json slots = json::array();
  for (const auto& [name, value] : s.context.slots.entries()) slots.push_back({name, value});
  json answered = json::array();
  for (const auto& a : s.answered) answered.push_back({a->id, proto::encode(a->answer)});
  json recent = json::array();
  for (const queue::TranscriptLine& l : s.recent) {
    recent.push_back({{"from", l.from}, {"text", l.text}, {"ts", l.ts_ms}, {"agent", l.agent}});
  }
  const json out = {{"ctx",
                     {{"awaiting", s.context.awaiting},
                      {"slots", std::move(slots)},
                      {"unresolved", s.context.unresolved},
                      {"replies", s.context.replies}}},
                    {"answered", std::move(answered)},
                    {"recent", std::move(recent)},
                    {"tokens", s.tokens},
                    {"refilled", s.refilled_ms},
                    {"seen", s.last_seen_ms}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool decode_chat_state(std::string_view text, chat::ChatState* s) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  *s = {};
  if (const auto ctx = j.find("ctx"); ctx != j.end() && ctx->is_object()) {
    s->context.awaiting = string_field(*ctx, "awaiting");
    s->context.unresolved = static_cast<int>(int_field(*ctx, "unresolved"));
    s->context.replies = static_cast<std::uint32_t>(int_field(*ctx, "replies"));
    if (const auto slots = ctx->find("slots"); slots != ctx->end() && slots->is_array()) {
      for (const json& pair : *slots) {
        if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
          s->context.slots.set(pair[0].get<std::string>(), pair[1].get<std::string>());
        }
      }
    }
  }
  if (const auto answered = j.find("answered"); answered != j.end() && answered->is_array()) {
    for (const json& pair : *answered) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) continue;
      if (std::optional<proto::Answer> answer = proto::decode_answer(pair[1].get<std::string>())) {
        s->answered.push_back(chat::make_answered(pair[0].get<std::string>(), std::move(*answer)));
      }
    }
  }
  if (const auto recent = j.find("recent"); recent != j.end() && recent->is_array()) {
    std::vector<queue::TranscriptLine> lines;  // chunked once, not appended line by line
    for (const json& l : *recent) {
      if (l.is_object()) {
        lines.push_back(
            {string_field(l, "from"), string_field(l, "text"), int_field(l, "ts"), string_field(l, "agent")});
      }
    }
    s->recent = queue::Transcript(std::move(lines));
  }
  if (const auto tokens = j.find("tokens"); tokens != j.end() && tokens->is_number()) s->tokens = tokens->get<double>();
  s->refilled_ms = int_field(j, "refilled");
  s->last_seen_ms = int_field(j, "seen");
  return true;
}

std::string encode_ticket(const queue::Ticket& ticket) { return records::open(ticket); }

std::optional<queue::Ticket> decode_ticket(std::string_view text) {
  std::string error;
  std::optional<records::Record> r = records::parse(text, &error);
  if (!r || r->type != "open") return std::nullopt;
  r->full.number = queue::ticket_number(r->full.id);
  return std::move(r->full);
}

std::string encode_resolved(const queue::Ticket& ticket, std::int64_t resolved_ms) {
  return json{{"at", resolved_ms}, {"ticket", encode_ticket(ticket)}}.dump(-1, ' ', false,
                                                                          json::error_handler_t::replace);
}

std::optional<queue::ResolvedTicket> decode_resolved(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  std::optional<queue::Ticket> ticket = decode_ticket(string_field(j, "ticket"));
  if (!ticket) return std::nullopt;
  return queue::ResolvedTicket{std::move(*ticket), int_field(j, "at")};
}

std::string encode_push(const UnackedPush& push) {
  return json{{"chat", push.chat}, {"frame", push.frame}, {"ts", push.created_ms}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

std::optional<UnackedPush> decode_push(std::string_view push_id, std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || string_field(j, "frame").empty()) return std::nullopt;
  return UnackedPush{std::string(push_id), string_field(j, "chat"), string_field(j, "frame"), int_field(j, "ts")};
}

double line_score(int priority, std::uint64_t number) {
  return -static_cast<double>(priority) * 1099511627776.0 + static_cast<double>(number);
}

}  // namespace xiaoer::store::redis
