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
// such chats get pushes), else to any gateway connection; with none
// connected they wait for the next (PushDelivery: paced, acknowledged,
// redelivered). A resolved ticket drops its chat's route, so the routes
// stay as many as the chats with a human.
//
// Thread safety: all members may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/app/agent_api.hpp"
#include "daemon/app/authenticator.hpp"
#include "daemon/app/push_delivery.hpp"
#include "daemon/app/read_gate.hpp"
#include "daemon/chat/chat_options.hpp"
#include "daemon/chat/outbound.hpp"
#include "daemon/common/metrics.hpp"
#include "daemon/net/message_handler.hpp"
#include "daemon/proto/codec.hpp"
#include "daemon/service/chat_service.hpp"
#include "daemon/service/stock_service.hpp"

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
  void attach_stock(service::StockService& stock) { stock_ = &stock; }
  // The store whose pushes it delivers (before serving); then restore().
  void attach(store::Store& store);
  // Start-up, after the store's replay: its unacknowledged pushes.
  void restore_pushes() { pushes_->restore(); }
  // Pushes taken over from another daemon (the Redis store).
  void take_pushes(std::vector<store::UnackedPush> pushes) { pushes_->take(std::move(pushes)); }
  bool has_gateway() { return pushes_->has_gateway(); }
  AgentPresence& presence() { return api_.presence(); }
  // pushes.expire_after_s (reloadable).
  void set_push_expiry(std::int64_t after_ms) { push_expire_after_ms_ = after_ms; }
  // Periodic: expired pushes, silent new gateways (PushDelivery::tick),
  // absent agents' tickets (AgentRouting::tick).
  void tick(std::int64_t now_ms) {
    pushes_->tick(now_ms, push_expire_after_ms_);
    api_.routing().tick();
  }
  void set_tokens(Tokens tokens) { auth_.set_tokens(std::move(tokens)); }
  Authenticator& authenticator() { return auth_; }
  void set_limits(proto::DecodeLimits limits);
  // While draining (or while the journal's backlog holds reading back),
  // /readyz answers 503.
  void set_ready(bool ready) { ready_ = ready; }
  // A store in another process (Redis): whether it is reachable, for
  // /readyz's text (still 200: bot replies flow, and every daemon shares
  // that store, so taking this one out of the balancer would help nothing).
  void set_store_reachable(std::function<bool()> reachable) { store_reachable_ = std::move(reachable); }

  // net::MessageHandler
  net::Admission admit(const net::HttpRequest& upgrade, net::Role wanted) override;
  void on_open(const std::shared_ptr<net::Connection>& connection) override;
  void on_text(const std::shared_ptr<net::Connection>& connection, std::string frame,
               std::chrono::steady_clock::time_point received) override;
  void on_close(net::Connection& connection) override;
  void on_http(net::HttpRequest request, Respond respond) override;
  bool may_read(std::function<void()> resume) override { return gate_.admit(std::move(resume)); }

  // Backpressure (ReadGate): connections stop reading while the store's
  // backlog is at `limit`; store_backlog() after each batch or answer.
  void set_backlog_limit(std::size_t limit, ReadGate::Backlog backlog, ReadGate::Names names) {
    gate_.set(limit, std::move(backlog), std::move(names));
  }
  void store_backlog(std::size_t backlog) { gate_.update(backlog); }

  // chat::Outbound
  void to_gateway(const std::string& chat, proto::Push push) override;
  void to_agents(proto::TicketEventKind kind, const std::string& ticket_id,
                 const std::function<proto::TicketView()>& shown) override;
  void ticket_closed(const std::string& chat) override;

  // Pushes no gateway connection has.
  std::size_t outbox_size() { return pushes_->waiting(); }
  // Pushes not yet acknowledged (or written to a gateway without acks).
  std::size_t pushes_held() { return pushes_->held(); }

 private:
  static constexpr std::size_t kRouteShards = 16;

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
  service::StockService* stock_ = nullptr;
  common::Metrics& metrics_;
  Authenticator auth_;
  AgentApi api_;
  std::atomic<std::shared_ptr<const proto::DecodeLimits>> limits_;
  std::atomic<bool> ready_{false};
  std::function<bool()> store_reachable_;  // set before serving
  std::atomic<std::int64_t> push_expire_after_ms_{chat::ChatOptions{}.push_expire_after_ms};

  mutable std::mutex connections_mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<net::Connection>> agents_;
  std::array<RouteShard, kRouteShards> routes_;
  std::unique_ptr<PushDelivery> pushes_;
  ReadGate gate_;
};

}  // namespace xiaoer::app
