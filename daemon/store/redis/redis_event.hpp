// The Redis store's events: what one daemon's commit tells the others on
// the `events` channel (redis_store.hpp). The commit script writes the
// head ({"owner": the chat's route, "resolved": the resolved ticket or
// null,) and the daemon the rest (event_body()).
//
//   {"owner","resolved","origin","chat","put": ticket JSON or null,
//    "pushes":[…],"route_closed","events":[{"kind","ticket":{view}}…],
//    "stock": stock record or null}
//
// A login session opened or closed (session_event()):
//   {"origin","session":{"hash","agent","expires"}}
// The agent accounts changed (redis_accounts.hpp): {"origin","accounts":true}
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/auth/login_sessions.hpp"
#include "daemon/catalogue/live_stock.hpp"
#include "daemon/chat/effect.hpp"
#include "daemon/queue/resolved_history.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::store::redis {

struct StoreEvent {
  std::string owner;   // the daemon holding the chat's route ("" none)
  std::string origin;  // the daemon that committed
  std::string chat;
  std::optional<queue::Ticket> put;
  std::optional<queue::ResolvedTicket> resolved;
  chat::Sends sends;  // pushes, route_closed, events (never an answer)
  std::optional<catalogue::StockUpdate> stock;
  std::optional<auth::LoginSessions::Shared> session;
  bool accounts = false;  // the agent accounts changed (redis_accounts.hpp)
};

// The part after the head: `put` and `sends` (its answer left out), or a
// stock update; the text starts after the object's opening brace.
std::string event_body(std::string_view origin, std::string_view chat, const queue::Ticket* put,
                       const chat::Sends& sends, const catalogue::StockUpdate* stock = nullptr);
// A whole event telling of a login session.
std::string session_event(std::string_view origin, const auth::LoginSessions::Shared& session);
// A whole event; nullopt for anything else.
std::optional<StoreEvent> decode_event(std::string_view payload);

}  // namespace xiaoer::store::redis
