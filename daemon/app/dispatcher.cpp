#include "daemon/app/dispatcher.hpp"

#include "daemon/app/console_files.hpp"

#include <spdlog/spdlog.h>

#include "daemon/app/stock_api.hpp"

namespace xiaoer::app {

Dispatcher::Dispatcher(service::ChatService* service, common::Metrics& metrics, const chat::Clock& clock)
    : service_(service),
      metrics_(metrics),
      auth_(clock),
      api_(auth_),
      limits_(std::make_shared<const proto::DecodeLimits>()) {}

void Dispatcher::set_limits(proto::DecodeLimits limits) {
  limits_.store(std::make_shared<const proto::DecodeLimits>(limits));
  api_.set_limits(limits);
}

net::Admission Dispatcher::admit(const net::HttpRequest& upgrade, net::Role wanted) {
  net::Admission admission = auth_.admit(upgrade, wanted);
  if (admission.status == 401) metrics_.connections_refused.add();
  return admission;
}

void Dispatcher::attach(store::Store& store) {
  pushes_ = std::make_unique<PushDelivery>(store, metrics_, [this](const std::string& chat) -> std::uint64_t {
    RouteShard& shard = route_shard(chat);
    std::lock_guard lock(shard.mutex);
    const auto it = shard.connection_of_chat.find(chat);
    return it == shard.connection_of_chat.end() ? 0 : it->second;
  });
}

void Dispatcher::on_open(const std::shared_ptr<net::Connection>& connection) {
  if (connection->role() == net::Role::kGateway) {
    ++metrics_.connections_gateway;
    pushes_->open(connection);
  } else {
    {
      std::lock_guard lock(connections_mutex_);
      agents_[connection->id()] = connection;
    }
    ++metrics_.connections_agent;
    if (!connection->identity().service) api_.presence().connected(connection->identity().agent);
  }
  spdlog::info("{} connection {} opened{}", connection->role() == net::Role::kGateway ? "gateway" : "agent",
               connection->id(), connection->identity().agent.empty() ? "" : " (agent " + connection->identity().agent + ")");
}

void Dispatcher::on_close(net::Connection& connection) {
  if (connection.role() == net::Role::kGateway) {
    // Its chats' pushes now go to any gateway still connected.
    for (RouteShard& shard : routes_) {
      std::lock_guard lock(shard.mutex);
      if (shard.routes_to.erase(connection.id()) == 0) continue;
      std::erase_if(shard.connection_of_chat, [&](const auto& route) { return route.second == connection.id(); });
    }
    pushes_->close(connection.id());
  } else {
    std::lock_guard lock(connections_mutex_);
    agents_.erase(connection.id());
  }
  --(connection.role() == net::Role::kGateway ? metrics_.connections_gateway : metrics_.connections_agent);
  if (connection.role() == net::Role::kAgent && !connection.identity().service) {
    api_.presence().disconnected(connection.identity().agent);
  }
  spdlog::info("connection {} closed", connection.id());
}

void Dispatcher::on_text(const std::shared_ptr<net::Connection>& connection, std::string frame,
                         std::chrono::steady_clock::time_point received) {
  if (connection->role() == net::Role::kGateway) {
    on_gateway_text(connection, frame, received);
  } else {
    on_agent_text(connection, frame);
  }
}

void Dispatcher::on_gateway_text(const std::shared_ptr<net::Connection>& connection, const std::string& frame,
                                 std::chrono::steady_clock::time_point received) {
  proto::GatewayFrame decoded = proto::decode_gateway_frame(frame, *limits_.load());
  if (const auto* hello = std::get_if<proto::HelloFrame>(&decoded)) {
    if (!pushes_->decide(connection->id(), hello->acks)) {
      metrics_.answers_by_type.with("error").add();
      connection->send(proto::encode(proto::ErrorFrame{
          "", proto::ErrorCode::kBadRequest, "hello must be the first frame on a connection (it was ignored)"}));
    }
    return;
  }
  if (const auto* ack = std::get_if<proto::AckFrame>(&decoded)) {
    pushes_->ack(ack->push_ids);
    return;
  }
  // Any other first frame: no acknowledgements on this connection.
  pushes_->decide(connection->id(), false);
  if (auto* error = std::get_if<proto::ErrorFrame>(&decoded)) {
    metrics_.answers_by_type.with("error").add();
    connection->send(proto::encode(*error));
    return;
  }
  auto& message = std::get<proto::InboundMessage>(decoded);
  std::string chat = message.chat;  // read before the message moves on
  service_->handle_message(std::move(message), [connection, received, chat = std::move(chat),
                                                this](proto::Answer answer) {
    // Only chats with a human get later pushes (agent replies, notices):
    // only theirs are routed, so the table stays as small as the queue.
    if (proto::hands_to_human(answer)) {
      RouteShard& shard = route_shard(chat);
      std::lock_guard lock(shard.mutex);
      const auto [route, added] = shard.connection_of_chat.try_emplace(chat, connection->id());
      if (added || route->second != connection->id()) {
        if (!added) shard.count_down(route->second);
        route->second = connection->id();
        ++shard.routes_to[connection->id()];
      }
    }
    connection->send(proto::encode(answer));
    metrics_.answer_latency.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count());
  });
}

void Dispatcher::on_agent_text(const std::shared_ptr<net::Connection>& connection, const std::string& frame) {
  proto::AgentFrame decoded = proto::decode_agent_frame(frame, *limits_.load());
  if (auto* error = std::get_if<proto::ErrorFrame>(&decoded)) {
    connection->send(proto::encode(*error));
    return;
  }
  api_.command(connection->identity(), std::get<proto::AgentCommand>(std::move(decoded)),
               [connection](proto::Answer answer) { connection->send(proto::encode(answer)); });
}

Dispatcher::RouteShard& Dispatcher::route_shard(const std::string& chat) {
  return routes_[std::hash<std::string>{}(chat) % kRouteShards];
}

void Dispatcher::to_gateway(const std::string& chat, proto::Push push) { pushes_->add(chat, push); }

void Dispatcher::ticket_closed(const std::string& chat) {
  RouteShard& shard = route_shard(chat);
  std::lock_guard lock(shard.mutex);
  const auto route = shard.connection_of_chat.find(chat);
  if (route == shard.connection_of_chat.end()) return;
  shard.count_down(route->second);
  shard.connection_of_chat.erase(route);
}

void Dispatcher::to_agents(proto::TicketEventKind kind, const std::string& ticket_id,
                           const std::function<proto::TicketView()>& shown) {
  if (kind == proto::TicketEventKind::kOpened) api_.routing().opened(ticket_id);
  std::vector<std::shared_ptr<net::Connection>> targets;
  {
    std::lock_guard lock(connections_mutex_);
    for (const auto& [id, weak] : agents_) {
      if (auto c = weak.lock()) targets.push_back(std::move(c));
    }
  }
  if (targets.empty()) return;  // built and encoded for no one
  const std::string frame = proto::encode(proto::TicketEvent{kind, shown()});
  for (const auto& c : targets) c->send(frame);
}

void Dispatcher::on_http(net::HttpRequest request, Respond respond) {
  const std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  if (path == "/healthz") return respond({200, "text/plain; charset=utf-8", "ok\n", {}});
  if (path == "/readyz") {
    if (gate_.closed()) return respond({503, "text/plain; charset=utf-8", gate_.what() + " full: not reading\n", {}});
    if (ready_ && store_reachable_ && !store_reachable_()) {
      return respond({200, "text/plain; charset=utf-8", "ready; store unreachable: queue changes refused\n", {}});
    }
    return respond(ready_ ? net::HttpResponse{200, "text/plain; charset=utf-8", "ready\n", {}}
                          : net::HttpResponse{503, "text/plain; charset=utf-8", "not ready\n", {}});
  }
  if (path == "/metrics") {
    return respond({200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render_prometheus(), {}});
  }
  if (path == "/console" || path.starts_with("/console/")) {
    if (request.method != "GET" && request.method != "HEAD") {
      return respond({405, "text/plain; charset=utf-8", "the console's files are read with GET\n", {}});
    }
    return respond(serve_console_file(auth_.console().dir, path));
  }
  if (AgentApi::serves(path)) return api_.handle(request, std::move(respond));
  if (is_stock_api(path) && stock_ != nullptr) {
    const std::optional<net::Identity> who = auth_.identify(request);
    return stock_api(request, who && who->role == net::Role::kAdmin, *stock_, std::move(respond));
  }
  respond({404, "text/plain; charset=utf-8", "not found\n", {}});
}

}  // namespace xiaoer::app
