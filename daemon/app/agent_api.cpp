#include "daemon/app/agent_api.hpp"

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include "daemon/app/canned_replies.hpp"
#include "daemon/common/json_writer.hpp"
#include "daemon/net/http_session.hpp"

namespace xiaoer::app {
namespace {

using proto::ErrorCode;

net::HttpResponse json_response(unsigned status, std::string body) {
  return {status, "application/json", std::move(body), {}};
}

net::HttpResponse api_error(unsigned status, ErrorCode code, std::string message) {
  return json_response(status, proto::encode(proto::ErrorFrame{"", code, std::move(message)}));
}

std::string_view path_of(const std::string& target) {
  return std::string_view(target).substr(0, target.find('?'));
}

constexpr std::string_view kTicketsPrefix = "/v1/tickets/";

}  // namespace

unsigned http_status(const proto::Answer& answer) {
  const std::optional<ErrorCode> code = proto::error_code(answer);
  if (!code) return 200;
  switch (*code) {
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kForbidden: return 403;
    default: return 400;
  }
}

AgentApi::AgentApi(Authenticator& auth)
    : auth_(auth), limits_(std::make_shared<const proto::DecodeLimits>()), presence_(auth.clock()) {}

AgentApi::~AgentApi() { login_pool_.join(); }

void AgentApi::set_limits(proto::DecodeLimits limits) {
  limits_.store(std::make_shared<const proto::DecodeLimits>(limits));
}

bool AgentApi::serves(std::string_view path) {
  return path == "/v1/login" || path == "/v1/logout" || path == "/v1/me" || path == "/v1/tickets" ||
         path.starts_with(kTicketsPrefix) || path == "/v1/agents" || path == "/v1/presence" || path == "/v1/canned" ||
         path == "/v1/compliance" || path == "/v1/history";
}

void AgentApi::handle(const net::HttpRequest& request, net::MessageHandler::Respond respond) {
  const std::string_view path = path_of(request.target);
  const bool change = request.method != "GET" && request.method != "HEAD";
  if (path == "/v1/login") {
    if (request.method != "POST") return respond(api_error(405, ErrorCode::kBadRequest, "use POST /v1/login"));
    return login(request, std::move(respond));
  }
  bool from_cookie = false;
  const std::optional<net::Identity> identity = auth_.identify(request, &from_cookie);
  // A change with the browser's cookie must come from the console's page.
  if (change && !auth_.origin_allowed(request, from_cookie)) {
    return respond(api_error(403, ErrorCode::kForbidden, "this origin may not change the queue"));
  }
  if (path == "/v1/logout") {
    if (request.method != "POST") return respond(api_error(405, ErrorCode::kBadRequest, "use POST /v1/logout"));
    auth_.logout(request);
    net::HttpResponse out = json_response(200, R"({"type":"ok","op":"logout"})");
    out.headers.emplace_back("Set-Cookie", auth_.cleared_cookie(request.tls));
    return respond(std::move(out));
  }
  if (!identity || identity->role != net::Role::kAgent) {
    return respond(api_error(401, ErrorCode::kUnauthorized,
                             "agent credentials required (Authorization: Bearer <token>, or log in)"));
  }
  if (!identity->service) presence_.active(identity->agent);  // session activity: the agent is there
  if (path == "/v1/me") {
    return respond(json_response(200, proto::encode(proto::MeFrame{identity->agent, identity->supervisor,
                                                                   identity->service})));
  }
  if (path == "/v1/agents") return respond(agents());
  if (path == "/v1/history") {
    constexpr std::size_t kHistoryPage = 200;
    return respond(json_response(200, proto::encode(proto::QueueFrame{service_->history(
                                          net::query_value(request.target, "q"), auth_.console().history_ms,
                                          kHistoryPage)})));
  }
  if (path == "/v1/compliance") return respond(compliance(request));
  if (path == "/v1/canned") {
    const LoadedCanned canned = load_canned(auth_.console().canned_file);
    if (common::has_errors(canned.diagnostics)) {
      return respond(api_error(500, ErrorCode::kUnavailable, canned.diagnostics.front().to_string()));
    }
    std::vector<CannedReply> replies = canned.replies;
    const auto engine = service_->engine();
    for (CannedReply& reply : replies) reply.text = fill_facts(reply.text, engine->shop().facts);
    return respond(json_response(200, encode_canned(replies)));
  }
  if (path == "/v1/presence") {
    if (request.method != "POST") return respond(api_error(405, ErrorCode::kBadRequest, "use POST /v1/presence"));
    auto status = proto::decode_string_field(request.body, "status", *limits_.load());
    if (auto* error = std::get_if<proto::ErrorFrame>(&status)) return respond(json_response(400, proto::encode(*error)));
    const std::string& value = std::get<std::string>(status);
    if (value != "online" && value != "away") {
      return respond(api_error(400, ErrorCode::kBadRequest, "status must be online or away"));
    }
    presence_.set_away(identity->agent, value == "away");
    return respond(json_response(200, R"({"type":"ok","op":"presence"})"));
  }
  tickets(request, *identity, std::move(respond));
}

net::HttpResponse AgentApi::agents() {
  const auto accounts = auth_.accounts();
  const std::map<std::string, AgentPresence::State> presence = presence_.snapshot();
  return json_response(200, common::typed_object("type", "agents", [&](common::JsonWriter& w) {
    w.key("agents").begin_array();
    for (const auto& [name, account] : accounts->by_name) {
      const auto state = presence.find(name);
      const bool connected = state != presence.end() && state->second.connected();
      const bool away = state != presence.end() && state->second.away;
      w.begin_object().field("name", name).key("supervisor").value(account.supervisor);
      w.key("capacity").value(account.capacity).key("connected").value(connected);
      w.field("presence", away ? "away" : "online").end_object();
    }
    w.end_array();
    w.key("sla_breaches_today").value(service_->sla_breaches_today());
  }));
}

net::HttpResponse AgentApi::compliance(const net::HttpRequest& request) {
  if (request.method != "POST") return api_error(405, ErrorCode::kBadRequest, "use POST /v1/compliance");
  auto text = proto::decode_string_field(request.body, "text", *limits_.load());
  if (auto* error = std::get_if<proto::ErrorFrame>(&text)) return json_response(400, proto::encode(*error));
  const std::optional<std::string> why = service_->engine()->compliance_violation(std::get<std::string>(text));
  return json_response(200, common::typed_object("type", "compliance", [&](common::JsonWriter& w) {
    w.key("problems").begin_array();
    if (why) w.value(*why);
    w.end_array().key("block").value(auth_.console().block_noncompliant);
  }));
}

void AgentApi::command(const net::Identity& identity, proto::AgentCommand command,
                       service::ChatService::Answer answer) {
  std::string agent;
  if (!acting_agent(identity, command.agent, &agent)) {
    return answer(proto::ErrorFrame{command.request_id, ErrorCode::kForbidden, "an agent acts as itself only"});
  }
  if (command.op == proto::AgentOp::kTransfer && !identity.service && !auth_.accounts()->find(command.to)) {
    return answer(proto::ErrorFrame{command.request_id, ErrorCode::kBadRequest, "no agent named " + command.to});
  }
  // A named agent takes no more chats than its capacity (the store checks
  // it as it commits the claim); the service account is not limited.
  int capacity = 0;
  if ((command.op == proto::AgentOp::kClaim || command.op == proto::AgentOp::kTransfer) && !identity.service) {
    const auto accounts = auth_.accounts();
    const auth::AgentAccount* account =
        accounts->find(command.op == proto::AgentOp::kClaim ? agent : command.to);
    if (account != nullptr) capacity = account->capacity;
  }
  if (command.op == proto::AgentOp::kSend && auth_.console().block_noncompliant) {
    if (const auto why = service_->engine()->compliance_violation(command.text)) {
      return answer(proto::ErrorFrame{command.request_id, ErrorCode::kBadRequest, "not sent: " + *why});
    }
  }
  if (!identity.service) presence_.active(agent);
  const bool takes = command.op == proto::AgentOp::kClaim || command.op == proto::AgentOp::kTransfer;
  service_->handle_agent(
      command, agent,
      [this, takes, answer = std::move(answer)](proto::Answer done) {
        const auto* ok = std::get_if<proto::AgentOkFrame>(&done);
        if (takes && ok != nullptr && ok->ticket) presence_.took(ok->ticket->agent);
        answer(std::move(done));
      },
      identity.supervisor, capacity);
}

void AgentApi::login(const net::HttpRequest& request, net::MessageHandler::Respond respond) {
  if (!auth_.origin_allowed(request, false)) {
    return respond(api_error(403, ErrorCode::kForbidden, "this origin may not log in"));
  }
  auto decoded = proto::decode_login(request.body, *limits_.load());
  if (auto* error = std::get_if<proto::ErrorFrame>(&decoded)) return respond(json_response(400, proto::encode(*error)));
  boost::asio::post(login_pool_, [this, login = std::get<proto::LoginRequest>(std::move(decoded)), tls = request.tls,
                                  respond = std::move(respond)] {
    const std::optional<std::string> token = auth_.login(login.agent, login.secret);
    if (!token) {
      // Not the name either: people type secrets into the wrong field.
      spdlog::info("a console login was refused (unknown agent or wrong secret)");
      return respond(api_error(401, ErrorCode::kUnauthorized, "unknown agent or wrong secret"));
    }
    spdlog::info("agent {} logged in to the console", login.agent);
    const auto accounts = auth_.accounts();
    const auth::AgentAccount* account = accounts->find(login.agent);
    net::HttpResponse out =
        json_response(200, proto::encode(proto::MeFrame{login.agent, account && account->supervisor, false}));
    out.headers.emplace_back("Set-Cookie", auth_.session_cookie(*token, tls));
    respond(std::move(out));
  });
}

void AgentApi::tickets(const net::HttpRequest& request, const net::Identity& identity,
                       net::MessageHandler::Respond respond) {
  const std::string_view path = path_of(request.target);
  if (path == "/v1/tickets") {
    if (request.method != "GET") return respond(api_error(405, ErrorCode::kBadRequest, "use GET /v1/tickets"));
    return respond(json_response(200, proto::encode(proto::QueueFrame{service_->tickets()})));
  }
  // /v1/tickets/{id} or /v1/tickets/{id}/{op}
  const std::string_view rest = path.substr(kTicketsPrefix.size());
  const std::size_t slash = rest.find('/');
  const std::string_view ticket = rest.substr(0, slash);
  if (slash == std::string_view::npos && request.method == "GET") {
    return service_->ticket(std::string(ticket), [respond](std::optional<proto::TicketView> view) {
      if (!view) return respond(api_error(404, ErrorCode::kBadRequest, "no open ticket with this id"));
      respond(json_response(200, proto::encode_ticket(*view)));
    });
  }
  const std::string_view op_name = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  std::optional<proto::AgentOp> op;
  for (proto::AgentOp candidate : {proto::AgentOp::kClaim, proto::AgentOp::kRelease, proto::AgentOp::kResolve,
                                   proto::AgentOp::kSend, proto::AgentOp::kTransfer, proto::AgentOp::kNote}) {
    if (op_name == proto::to_string(candidate)) op = candidate;
  }
  if (!op || request.method != "POST") {
    return respond(
        api_error(404, ErrorCode::kBadRequest,
                  "use GET /v1/tickets/{id} or POST /v1/tickets/{id}/claim|release|resolve|send|transfer|note"));
  }
  proto::AgentFrame decoded = proto::decode_agent_request(*op, ticket, request.body, *limits_.load());
  if (auto* error = std::get_if<proto::ErrorFrame>(&decoded)) return respond(json_response(400, proto::encode(*error)));
  this->command(identity, std::get<proto::AgentCommand>(std::move(decoded)), [respond](proto::Answer done) {
    respond(json_response(http_status(done), proto::encode(done)));
  });
}

}  // namespace xiaoer::app
