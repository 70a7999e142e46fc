#include "daemon/app/authenticator.hpp"

#include "daemon/auth/secret_hash.hpp"
#include "daemon/net/http_session.hpp"

namespace xiaoer::app {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t semicolon = header.find(';');
    const std::string_view pair = trim(header.substr(0, semicolon));
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    if (semicolon == std::string_view::npos) break;
    header.remove_prefix(semicolon + 1);
  }
  return {};
}

bool acting_agent(const net::Identity& identity, const std::string& declared, std::string* agent) {
  if (identity.service) {
    *agent = declared.empty() ? identity.agent : declared;
    return true;
  }
  if (!declared.empty() && declared != identity.agent) return false;
  *agent = identity.agent;
  return true;
}

Authenticator::Authenticator(const chat::Clock& clock)
    : clock_(clock),
      tokens_(std::make_shared<const Tokens>()),
      accounts_(std::make_shared<const auth::AgentAccounts>()),
      console_(std::make_shared<const ConsoleOptions>()) {}

void Authenticator::set_tokens(Tokens tokens) { tokens_.store(std::make_shared<const Tokens>(std::move(tokens))); }

void Authenticator::set_accounts(std::shared_ptr<const auth::AgentAccounts> accounts) {
  const auto before = accounts_.exchange(accounts);
  for (const auto& [name, account] : before->by_name) {
    const auth::AgentAccount* now = accounts->find(name);
    // Removed, or its secret reset: its browsers log in again.
    if (!now || now->secret_hash != account.secret_hash) sessions_.close_agent(name);
  }
}

void Authenticator::set_console(ConsoleOptions options) {
  console_.store(std::make_shared<const ConsoleOptions>(std::move(options)));
}

std::optional<net::Identity> Authenticator::named(const std::string& agent) const {
  const auto accounts = accounts_.load();
  const auth::AgentAccount* account = accounts->find(agent);
  if (!account) return std::nullopt;
  return net::Identity{net::Role::kAgent, agent, account->supervisor, false};
}

std::optional<net::Identity> Authenticator::identify(const net::HttpRequest& request, bool* from_cookie) {
  if (from_cookie) *from_cookie = false;
  const std::string_view token = net::bearer_token(request.authorization);
  if (!token.empty()) {
    const auto tokens = tokens_.load();
    // Both comparisons always run: the time taken says nothing of which matched.
    const bool gateway = auth::same_secret(token, tokens->gateway);
    const bool agent = auth::same_secret(token, tokens->agent);
    const bool admin = !tokens->admin.empty() && auth::same_secret(token, tokens->admin);
    if (gateway) return net::Identity{net::Role::kGateway, {}, false, false};
    if (agent) return net::Identity{net::Role::kAgent, net::query_value(request.target, "agent"), false, true};
    if (admin) return net::Identity{net::Role::kAdmin, {}, false, false};
    return std::nullopt;
  }
  const std::string session = cookie_value(request.cookie, kSessionCookie);
  if (session.empty()) return std::nullopt;
  const std::optional<std::string> agent = sessions_.find(session, clock_.now_ms());
  if (!agent) return std::nullopt;
  std::optional<net::Identity> identity = named(*agent);
  if (identity && from_cookie) *from_cookie = true;
  return identity;
}

bool Authenticator::origin_allowed(const net::HttpRequest& request, bool required) const {
  if (request.origin.empty()) return !required;
  const auto console = console_.load();
  if (!console->origin.empty()) return request.origin == console->origin;
  return request.origin == std::string(request.tls ? "https://" : "http://") + request.host ||
         (console->secure_cookie && request.origin == "https://" + request.host);
}

net::Admission Authenticator::admit(const net::HttpRequest& upgrade, net::Role wanted) {
  bool from_cookie = false;
  const std::optional<net::Identity> identity = identify(upgrade, &from_cookie);
  if (!identity) {
    return {401, "missing or invalid credentials (Authorization: Bearer <token>, or log in to the console)", {}};
  }
  if (identity->role != wanted) return {403, "this token's role may not use this endpoint", {}};
  // A page from another site may open a websocket with the browser's cookie:
  // the Origin tells it apart.
  if (!origin_allowed(upgrade, from_cookie)) return {403, "this origin may not open the agents' websocket", {}};
  return {0, {}, *identity};
}

std::optional<std::string> Authenticator::login(const std::string& name, const std::string& secret) {
  const auto accounts = accounts_.load();
  const auth::AgentAccount* account = accounts->find(name);
  // An unknown name costs a hash too: the time does not tell names apart.
  static const std::string kDummy = auth::hash_secret("not an account");
  const bool ok = auth::verify_secret(secret, account ? account->secret_hash : kDummy) && account;
  if (!ok) return std::nullopt;
  return sessions_.open(name, clock_.now_ms(), console_.load()->session_ttl_ms);
}

void Authenticator::logout(const net::HttpRequest& request) {
  const std::string session = cookie_value(request.cookie, kSessionCookie);
  if (!session.empty()) sessions_.close(session);
}

std::string Authenticator::session_cookie(const std::string& token, bool tls) const {
  const auto console = console_.load();
  std::string cookie = std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                       std::to_string(console->session_ttl_ms / 1000);
  if (tls || console->secure_cookie) cookie += "; Secure";
  return cookie;
}

std::string Authenticator::cleared_cookie(bool tls) const {
  std::string cookie = std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (tls || console_.load()->secure_cookie) cookie += "; Secure";
  return cookie;
}

bool Authenticator::logged_in(const std::string& agent) { return sessions_.has_session(agent, clock_.now_ms()); }

}  // namespace xiaoer::app
