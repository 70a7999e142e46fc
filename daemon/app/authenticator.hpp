// Authenticator: who a request or connection is, from its credentials only.
//
// Three kinds of caller: the gateway (its bearer token), the agent service
// account (the shared agent token, for scripts: it may act as the agent it
// names), and named agents (console login: a session cookie). The acting
// agent of a command is the authenticated one; a named agent's command that
// names someone else is refused (403).
//
// Browser requests are also checked for where they come from: a change
// (POST) made with the session cookie, and any websocket upgrade carrying an
// Origin, must come from the console's origin (console.origin, or this
// daemon's own address). Secrets never appear in URLs, logs or metrics:
// nothing here logs a credential.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/app/config.hpp"
#include "daemon/auth/agent_accounts.hpp"
#include "daemon/auth/login_sessions.hpp"
#include "daemon/chat/outbound.hpp"
#include "daemon/net/message_handler.hpp"

namespace xiaoer::app {

struct Tokens {
  std::string gateway;
  std::string agent;
  std::string admin;  // the stock API (app/stock_api.hpp); "" = none
};

inline constexpr std::string_view kSessionCookie = "xiaoer_session";

class Authenticator {
 public:
  // Keeps a reference to `clock`.
  explicit Authenticator(const chat::Clock& clock);

  void set_tokens(Tokens tokens);
  // Sessions of agents no longer in `accounts` end.
  void set_accounts(std::shared_ptr<const auth::AgentAccounts> accounts);
  void set_console(ConsoleOptions options);

  std::shared_ptr<const auth::AgentAccounts> accounts() const { return accounts_.load(); }
  const chat::Clock& clock() const { return clock_; }
  ConsoleOptions console() const { return *console_.load(); }

  // The caller of `request`: a bearer token first, else the session cookie;
  // nullopt if neither is valid. `from_cookie` tells which.
  std::optional<net::Identity> identify(const net::HttpRequest& request, bool* from_cookie = nullptr);

  // Whether the request's Origin is the console's. An absent Origin passes
  // only when `required` is false (scripts send none; browsers always do on
  // a cross-origin request and on every websocket upgrade).
  bool origin_allowed(const net::HttpRequest& request, bool required) const;

  // The websocket upgrade to /v1/gateway or /v1/agent.
  net::Admission admit(const net::HttpRequest& upgrade, net::Role wanted);

  // Checks `name`'s secret (a slow hash: call it off the I/O threads);
  // opens a session and returns its token, or nullopt.
  std::optional<std::string> login(const std::string& name, const std::string& secret);
  void logout(const net::HttpRequest& request);

  // The Set-Cookie value opening or clearing the session.
  std::string session_cookie(const std::string& token, bool tls) const;
  std::string cleared_cookie(bool tls) const;

  // Keeps the login sessions in `path` too (auth::LoginSessions::keep_in):
  // a restart logs nobody out. Start-up only.
  bool keep_sessions_in(const std::string& path, std::string* error) {
    return sessions_.keep_in(path, clock_.now_ms(), error);
  }

  // The login sessions, for a store that shares them between daemons.
  auth::LoginSessions& sessions() { return sessions_; }

  // Whether `agent` is logged in (a live session).
  bool logged_in(const std::string& agent);

 private:
  std::optional<net::Identity> named(const std::string& agent) const;

  const chat::Clock& clock_;
  std::atomic<std::shared_ptr<const Tokens>> tokens_;
  std::atomic<std::shared_ptr<const auth::AgentAccounts>> accounts_;
  std::atomic<std::shared_ptr<const ConsoleOptions>> console_;
  auth::LoginSessions sessions_;
};

// The agent a command acts as: `identity`'s own name for a named agent (a
// `declared` other name is refused: false); for the service account the
// declared name, else the one it connected with.
bool acting_agent(const net::Identity& identity, const std::string& declared, std::string* agent);

// The value of cookie `name` in a Cookie header ("" if absent).
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace xiaoer::app
