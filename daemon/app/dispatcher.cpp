#include "daemon/app/dispatcher.hpp"

#include <openssl/crypto.h>

#include <future>
#include <spdlog/spdlog.h>

#include "daemon/app/stock_api.hpp"

namespace xiaoer::app {
namespace {

constexpr auto kHttpAgentTimeout = std::chrono::seconds(10);

net::HttpResponse json_response(unsigned status, std::string body) {
  return {status, "application/json", std::move(body)};
}

net::HttpResponse api_error(unsigned status, proto::ErrorCode code, std::string message) {
  return json_response(status, proto::encode(proto::ErrorFrame{"", code, std::move(message)}));
}

// The HTTP status for an agent's answer: 200 for ok and queue, else by code.
unsigned status_of(const proto::Answer& answer) {
  const std::optional<proto::ErrorCode> code = proto::error_code(answer);
  if (!code) return 200;
  return *code == proto::ErrorCode::kUnavailable ? 503 : 400;
}

}  // namespace

bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Dispatcher::Dispatcher(service::ChatService* service, common::Metrics& metrics)
    : service_(service),
      metrics_(metrics),
      tokens_(std::make_shared<const Tokens>()),
      limits_(std::make_shared<const proto::DecodeLimits>()) {}

void Dispatcher::set_tokens(Tokens tokens) { tokens_.store(std::make_shared<const Tokens>(std::move(tokens))); }

void Dispatcher::set_limits(proto::DecodeLimits limits) {
  limits_.store(std::make_shared<const proto::DecodeLimits>(limits));
}

std::optional<net::Role> Dispatcher::authenticate(std::string_view token) {
  const auto tokens = tokens_.load();
  // Both comparisons always run: the time taken says nothing of which matched.
  const bool gateway = same_secret(token, tokens->gateway);
  const bool agent = same_secret(token, tokens->agent);
  const bool admin = !tokens->admin.empty() && same_secret(token, tokens->admin);
  if (gateway) return net::Role::kGateway;
  if (agent) return net::Role::kAgent;
  if (admin) return net::Role::kAdmin;
  metrics_.connections_refused.add();
  return std::nullopt;
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
  }
  spdlog::info("{} connection {} opened{}", connection->role() == net::Role::kGateway ? "gateway" : "agent",
               connection->id(), connection->agent_name().empty() ? "" : " (agent " + connection->agent_name() + ")");
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
  service_->handle_message(message, [connection, received, chat = message.chat, this](proto::Answer answer) {
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
  const auto& command = std::get<proto::AgentCommand>(decoded);
  const std::string agent = command.agent.empty() ? connection->agent_name() : command.agent;
  service_->handle_agent(command, agent,
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

void Dispatcher::to_agents(const proto::TicketEvent& event) {
  const std::string frame = proto::encode(event);
  std::vector<std::shared_ptr<net::Connection>> targets;
  {
    std::lock_guard lock(connections_mutex_);
    for (const auto& [id, weak] : agents_) {
      if (auto c = weak.lock()) targets.push_back(std::move(c));
    }
  }
  for (const auto& c : targets) c->send(frame);
}

net::HttpResponse Dispatcher::on_http(const net::HttpRequest& request) {
  const std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  if (path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
  if (path == "/readyz") {
    if (gate_.closed()) return {503, "text/plain; charset=utf-8", "journal backlog full: not reading\n"};
    return ready_ ? net::HttpResponse{200, "text/plain; charset=utf-8", "ready\n"}
                  : net::HttpResponse{503, "text/plain; charset=utf-8", "not ready\n"};
  }
  if (path == "/metrics") return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render_prometheus()};
  if (path == "/v1/tickets" || path.rfind("/v1/tickets/", 0) == 0) {
    if (request.role != net::Role::kAgent) {
      return api_error(401, proto::ErrorCode::kBadRequest, "agent token required (Authorization: Bearer <token>)");
    }
    return agent_api(request);
  }
  if (is_stock_api(path) && stock_ != nullptr) return stock_api(request, *stock_);
  return {404, "text/plain; charset=utf-8", "not found\n"};
}

net::HttpResponse Dispatcher::agent_api(const net::HttpRequest& request) {
  const std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  if (path == "/v1/tickets") {
    if (request.method != "GET") return api_error(405, proto::ErrorCode::kBadRequest, "use GET /v1/tickets");
    return json_response(200, proto::encode(proto::QueueFrame{service_->tickets()}));
  }
  // /v1/tickets/{id}/{op}
  const std::string_view rest = path.substr(std::string_view("/v1/tickets/").size());
  const std::size_t slash = rest.find('/');
  const std::string_view ticket = rest.substr(0, slash);
  const std::string_view op_name = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  std::optional<proto::AgentOp> op;
  for (proto::AgentOp candidate : {proto::AgentOp::kClaim, proto::AgentOp::kRelease, proto::AgentOp::kResolve,
                                   proto::AgentOp::kSend}) {
    if (op_name == proto::to_string(candidate)) op = candidate;
  }
  if (!op || request.method != "POST") {
    return api_error(404, proto::ErrorCode::kBadRequest, "use POST /v1/tickets/{id}/claim|release|resolve|send");
  }
  proto::AgentFrame decoded = proto::decode_agent_request(*op, ticket, request.body, *limits_.load());
  if (auto* error = std::get_if<proto::ErrorFrame>(&decoded)) return json_response(400, proto::encode(*error));
  const auto& command = std::get<proto::AgentCommand>(decoded);
  auto promise = std::make_shared<std::promise<proto::Answer>>();
  std::future<proto::Answer> answer = promise->get_future();
  service_->handle_agent(command, command.agent,
                         [promise](proto::Answer done) { promise->set_value(std::move(done)); });
  if (answer.wait_for(kHttpAgentTimeout) != std::future_status::ready) {
    return api_error(503, proto::ErrorCode::kUnavailable, "the journal did not answer in time");
  }
  const proto::Answer done = answer.get();
  return json_response(status_of(done), proto::encode(done));
}

}  // namespace xiaoer::app
