// Dispatcher: the daemon's MessageHandler. Decodes frames, passes them to
// the chat service, routes what comes back to the right connection, and
// serves the plain HTTP endpoints (health, readiness, metrics, agent API).
//
// What comes back are typed values (proto::Answer, Push, TicketEvent): the
// route and the HTTP status follow from their kind, and each is encoded to
// JSON once, here, where it is written.
//
// Gateway routing: agent replies and notices for chat C go to the gateway
// connection that last carried a message of C answered handoff or hold (only
// such chats get pushes), else to any gateway connection; with none connected they wait in a bounded outbox and go to
// the next gateway that connects. A resolved ticket drops its chat's route,
// so the routes stay as many as the chats with a human.
//
// Thread safety: all members may be called from any thread.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/app/agent_api.hpp"
#include "daemon/app/authenticator.hpp"
#include "daemon/chat/outbound.hpp"
#include "daemon/common/metrics.hpp"
#include "daemon/net/message_handler.hpp"
#include "daemon/proto/codec.hpp"
#include "daemon/service/chat_service.hpp"

namespace xiaoer::app {

class Dispatcher final : public net::MessageHandler, public chat::Outbound {
 public:
  // Keeps references to `metrics` and `clock`.
  Dispatcher(service::ChatService* service, common::Metrics& metrics, const chat::Clock& clock);

  // The chat service is made after the dispatcher (it needs the outbound).
  void attach(service::ChatService& service) {
    service_ = &service;
    api_.attach(service);
  }
  void set_tokens(Tokens tokens) { auth_.set_tokens(std::move(tokens)); }
  Authenticator& authenticator() { return auth_; }
  void set_limits(proto::DecodeLimits limits);
  // While draining, /readyz answers 503.
  void set_ready(bool ready) { ready_ = ready; }

  // net::MessageHandler
  net::Admission admit(const net::HttpRequest& upgrade, net::Role wanted) override;
  void on_open(const std::shared_ptr<net::Connection>& connection) override;
  void on_text(const std::shared_ptr<net::Connection>& connection, std::string frame,
               std::chrono::steady_clock::time_point received) override;
  void on_close(net::Connection& connection) override;
  void on_http(net::HttpRequest request, Respond respond) override;

  // chat::Outbound
  void to_gateway(const std::string& chat, proto::Push push) override;
  void to_agents(const proto::TicketEvent& event) override;
  void ticket_closed(const std::string& chat) override;

  std::size_t outbox_size();

 private:
  static constexpr std::size_t kRouteShards = 16;
  static constexpr std::size_t kMaxOutbox = 100000;

  struct RouteShard {
    std::mutex mutex;
    std::unordered_map<std::string, std::uint64_t> connection_of_chat;
    // How many of this shard's routes lead to each connection: a closing
    // connection with none here costs no scan (thousands of idle gateway
    // connections may close at once).
    std::unordered_map<std::uint64_t, std::size_t> routes_to;
    // One route fewer leads to `connection` (the caller holds `mutex`).
    void count_down(std::uint64_t connection) {
      if (--routes_to[connection] == 0) routes_to.erase(connection);
    }
  };

  void on_gateway_text(const std::shared_ptr<net::Connection>& connection, const std::string& frame,
                       std::chrono::steady_clock::time_point received);
  void on_agent_text(const std::shared_ptr<net::Connection>& connection, const std::string& frame);
  RouteShard& route_shard(const std::string& chat);

  service::ChatService* service_;
  common::Metrics& metrics_;
  Authenticator auth_;
  AgentApi api_;
  std::atomic<std::shared_ptr<const proto::DecodeLimits>> limits_;
  std::atomic<bool> ready_{false};

  std::mutex connections_mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<net::Connection>> gateways_;
  std::unordered_map<std::uint64_t, std::weak_ptr<net::Connection>> agents_;
  std::deque<std::pair<std::string, std::string>> outbox_;  // (chat, frame) while no gateway is connected
  std::array<RouteShard, kRouteShards> routes_;
};

}  // namespace xiaoer::app
