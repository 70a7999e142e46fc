#include "daemon/store/redis/redis_event.hpp"

#include <nlohmann/json.hpp>

#include "daemon/common/json_fields.hpp"
#include "daemon/store/journal/stock_record.hpp"
#include "daemon/store/redis/redis_codec.hpp"

namespace xiaoer::store::redis {
using common::string_field;
using common::int_field;
namespace {

using nlohmann::json;

constexpr proto::TicketEventKind kKinds[] = {proto::TicketEventKind::kOpened,   proto::TicketEventKind::kUpdated,
                                             proto::TicketEventKind::kClaimed,  proto::TicketEventKind::kReleased,
                                             proto::TicketEventKind::kResolved, proto::TicketEventKind::kTransferred};

json view_json(const proto::TicketView& v) {
  json transcript = json::array();
  for (const proto::TranscriptEntry& e : v.transcript) {
    transcript.push_back({{"from", e.from}, {"text", e.text}, {"ts", e.ts}, {"agent", e.agent}});
  }
  return {{"id", v.id},
          {"chat", v.chat},
          {"reason", v.reason},
          {"state", v.state},
          {"agent", v.agent},
          {"priority", v.priority},
          {"position", v.position},
          {"opened_ms", v.opened_ms},
          {"channel", v.channel},
          {"buyer_nick", v.buyer_nick},
          {"item_id", v.item_id},
          {"transcript", std::move(transcript)}};
}

proto::TicketView view_of(const json& j) {
  proto::TicketView v;
  v.id = string_field(j, "id");
  v.chat = string_field(j, "chat");
  v.reason = string_field(j, "reason");
  v.state = string_field(j, "state");
  v.agent = string_field(j, "agent");
  v.priority = static_cast<int>(int_field(j, "priority"));
  v.position = static_cast<int>(int_field(j, "position"));
  v.opened_ms = int_field(j, "opened_ms");
  v.channel = string_field(j, "channel");
  v.buyer_nick = string_field(j, "buyer_nick");
  v.item_id = string_field(j, "item_id");
  if (const auto t = j.find("transcript"); t != j.end() && t->is_array()) {
    for (const json& e : *t) {
      if (e.is_object()) {
        v.transcript.push_back(
            {string_field(e, "from"), string_field(e, "text"), int_field(e, "ts"), string_field(e, "agent")});
      }
    }
  }
  return v;
}

json push_json(const proto::Push& push) {
  if (const auto* reply = std::get_if<proto::AgentReplyFrame>(&push)) {
    return {{"type", "agent_reply"}, {"chat", reply->chat}, {"text", reply->text},
            {"agent", reply->agent}, {"ticket", reply->ticket}, {"push_id", reply->push_id}};
  }
  const auto& notice = std::get<proto::NoticeFrame>(push);
  return {{"type", "notice"}, {"chat", notice.chat}, {"text", notice.text},
          {"ticket", notice.ticket}, {"push_id", notice.push_id}};
}

std::optional<proto::Push> push_of(const json& j) {
  if (!j.is_object()) return std::nullopt;
  if (string_field(j, "type") == "agent_reply") {
    return proto::AgentReplyFrame{string_field(j, "chat"), string_field(j, "text"), string_field(j, "agent"),
                                  string_field(j, "ticket"), string_field(j, "push_id")};
  }
  if (string_field(j, "type") == "notice") {
    return proto::NoticeFrame{string_field(j, "chat"), string_field(j, "text"), string_field(j, "ticket"),
                              string_field(j, "push_id")};
  }
  return std::nullopt;
}

}  // namespace

std::string event_body(std::string_view origin, std::string_view chat, const queue::Ticket* put,
                       const chat::Sends& sends, const catalogue::StockUpdate* stock) {
  json pushes = json::array();
  for (const proto::Push& push : sends.pushes) pushes.push_back(push_json(push));
  json events = json::array();
  for (const chat::AgentEvent& event : sends.events) {
    events.push_back({{"kind", static_cast<int>(event.kind)}, {"ticket", view_json(event.view())}});
  }
  const json body = {{"origin", origin},
                     {"chat", chat},
                     {"put", put != nullptr ? json(encode_ticket(*put)) : json(nullptr)},
                     {"pushes", std::move(pushes)},
                     {"route_closed", sends.route_closed},
                     {"events", std::move(events)},
                     {"stock", stock != nullptr ? json(records::stock(*stock)) : json(nullptr)}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace).substr(1);
}

std::string session_event(std::string_view origin, const auth::LoginSessions::Shared& session) {
  const json event = {
      {"origin", origin},
      {"session", {{"hash", session.token_hash}, {"agent", session.agent}, {"expires", session.expires_ms}}}};
  return event.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<StoreEvent> decode_event(std::string_view payload) {
  const json j = json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  StoreEvent event;
  event.owner = string_field(j, "owner");
  event.origin = string_field(j, "origin");
  event.chat = string_field(j, "chat");
  if (const std::string put = string_field(j, "put"); !put.empty()) event.put = decode_ticket(put);
  if (const auto resolved = j.find("resolved"); resolved != j.end() && resolved->is_object()) {
    event.resolved = decode_resolved(resolved->dump());
  }
  if (const auto pushes = j.find("pushes"); pushes != j.end() && pushes->is_array()) {
    for (const json& p : *pushes) {
      if (std::optional<proto::Push> push = push_of(p)) event.sends.pushes.push_back(std::move(*push));
    }
  }
  const auto closed = j.find("route_closed");
  event.sends.route_closed = closed != j.end() && closed->is_boolean() && closed->get<bool>();
  if (const auto events = j.find("events"); events != j.end() && events->is_array()) {
    for (const json& e : *events) {
      const std::int64_t kind = int_field(e, "kind");
      const auto ticket = e.find("ticket");
      if (kind < 0 || kind >= static_cast<std::int64_t>(std::size(kKinds)) || ticket == e.end()) continue;
      event.sends.events.emplace_back(kKinds[kind], view_of(*ticket));
    }
  }
  const auto accounts = j.find("accounts");
  event.accounts = accounts != j.end() && accounts->is_boolean() && accounts->get<bool>();
  if (const auto session = j.find("session"); session != j.end() && session->is_object()) {
    event.session = auth::LoginSessions::Shared{string_field(*session, "hash"), string_field(*session, "agent"),
                                                int_field(*session, "expires")};
  }
  if (const std::string stock = string_field(j, "stock"); !stock.empty()) {
    std::string error;
    event.stock = records::parse_stock(stock, &error);
  }
  return event;
}

}  // namespace xiaoer::store::redis
