// AgentApi: the agents' HTTP API and the console's login (docs/protocol.md,
// docs/console.md).
//
//   POST /v1/login {"agent","secret"}   → 200 me + session cookie, or 401
//   POST /v1/logout                     → 200, cookie cleared
//   GET  /v1/me                         → who the credentials are
//   GET  /v1/tickets                    → the queue
//   GET  /v1/tickets/{id}               → one open ticket
//   POST /v1/tickets/{id}/{op}          → claim | release | resolve | send | transfer | note
//   GET  /v1/agents                     → the agents, their presence and capacity (transfer, supervisor view)
//   POST /v1/presence {"status"}        → online | away
//   GET  /v1/canned                     → canned replies, shop facts filled
//   POST /v1/compliance {"text"}        → what the compliance rules say of a draft
//
// Nothing here waits: a change is answered from the commit's callback (on
// whichever thread commits it), a login's slow hash runs on a thread of its
// own. Changes made with the session cookie must come from the console's
// origin; a body `agent` naming someone other than a named caller is 403.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>

#include "daemon/app/agent_presence.hpp"
#include "daemon/app/agent_routing.hpp"
#include "daemon/app/authenticator.hpp"
#include "daemon/net/message_handler.hpp"
#include "daemon/proto/codec.hpp"
#include "daemon/service/chat_service.hpp"

namespace xiaoer::app {

class AgentApi {
 public:
  // Keeps references; `auth` must outlive the API.
  explicit AgentApi(Authenticator& auth);
  ~AgentApi();

  void attach(service::ChatService& service) {
    service_ = &service;
    routing_.attach(service);
  }
  void set_limits(proto::DecodeLimits limits);

  // Whether `path` is the API's.
  static bool serves(std::string_view path);
  void handle(const net::HttpRequest& request, net::MessageHandler::Respond respond);

  // An agent command from `identity` (the websocket's and HTTP's one path):
  // the acting agent checked (403), a transfer's target an account, a named
  // agent's capacity respected, a non-compliant send refused when so
  // configured; then the chat service.
  void command(const net::Identity& identity, proto::AgentCommand command, service::ChatService::Answer answer);

  AgentPresence& presence() { return presence_; }
  AgentRouting& routing() { return routing_; }

 private:
  void login(const net::HttpRequest& request, net::MessageHandler::Respond respond);
  void tickets(const net::HttpRequest& request, const net::Identity& identity, net::MessageHandler::Respond respond);
  net::HttpResponse agents();
  net::HttpResponse compliance(const net::HttpRequest& request);

  Authenticator& auth_;
  service::ChatService* service_ = nullptr;
  std::atomic<std::shared_ptr<const proto::DecodeLimits>> limits_;
  AgentPresence presence_;
  AgentRouting routing_{auth_, presence_};
  // PBKDF2 of logins, away from the I/O threads.
  boost::asio::thread_pool login_pool_{1};
};

// The HTTP status of an agent answer: 200 for ok and queue, else by code.
unsigned http_status(const proto::Answer& answer);

}  // namespace xiaoer::app
