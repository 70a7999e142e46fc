// The console's accounts and sessions, black-box (docs/console.md): agent
// accounts made with `xiaoerd agent`, login with a secret, the session
// cookie on HTTP and on the websocket upgrade, Origin checks, an agent
// acting as someone else refused, and the secret never in a URL, a log line
// or a metric.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <thread>
#include <regex>

#include "daemon/common/yaml_reader.hpp"
#include "tests/integration/it_support.hpp"

namespace xiaoer::it {
namespace {

namespace http = boost::beast::http;

class ConsoleTest : public ItTest {
 protected:
  // Adds an account; its secret (printed once).
  std::string add_agent(const std::string& name, const std::string& flags = "") {
    return add_agent_account(*daemon_, name, flags);
  }

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port()); }

  HttpResult login(const std::string& name, const std::string& secret) {
    return http_request_with(port(), http::verb::post, "/v1/login", {{"Origin", origin()}},
                             R"({"agent":")" + name + R"(","secret":")" + secret + R"("})");
  }

  // The cookie header to send back ("xiaoer_session=…").
  static std::string cookie_of(const HttpResult& r) {
    const std::string set = r.header("Set-Cookie");
    return set.substr(0, set.find(';'));
  }

  Headers browser(const std::string& cookie, const std::string& from) {
    Headers h{{"Cookie", cookie}};
    if (!from.empty()) h.emplace_back("Origin", from);
    return h;
  }
};

TEST_F(ConsoleTest, LoginGivesAStrictHttpOnlyCookieThatIdentifiesTheAgent) {
  make();
  const std::string secret = add_agent("li");
  ASSERT_FALSE(secret.empty());
  ASSERT_TRUE(start());
  EXPECT_EQ(login("li", secret + "0").status, 401);
  EXPECT_EQ(login("zhao", secret).status, 401);
  const HttpResult ok = login("li", secret);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body_json()["agent"], "li");
  const std::string set = ok.header("Set-Cookie");
  EXPECT_NE(set.find("HttpOnly"), std::string::npos) << set;
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos) << set;
  EXPECT_NE(set.find("Max-Age="), std::string::npos) << set;
  EXPECT_EQ(set.find("Secure"), std::string::npos) << "no TLS, not configured: " << set;
  const std::string cookie = cookie_of(ok);

  const HttpResult me = http_request_with(port(), http::verb::get, "/v1/me", browser(cookie, ""));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.body_json()["agent"], "li");
  EXPECT_EQ(me.body_json()["supervisor"], false);

  // A wrong session is 401; so is one logged out.
  EXPECT_EQ(http_request_with(port(), http::verb::get, "/v1/me", browser(cookie + "0", "")).status, 401);
  EXPECT_EQ(http_request_with(port(), http::verb::get, "/v1/tickets", browser("xiaoer_session=abc", "")).status, 401);
  const HttpResult out = http_request_with(port(), http::verb::post, "/v1/logout", browser(cookie, origin()));
  EXPECT_EQ(out.status, 200);
  EXPECT_NE(out.header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(http_request_with(port(), http::verb::get, "/v1/me", browser(cookie, "")).status, 401);
}

TEST_F(ConsoleTest, CookieChangesAndUpgradesMustComeFromTheConsolesOrigin) {
  make();
  const std::string secret = add_agent("li");
  ASSERT_TRUE(start());
  const std::string cookie = cookie_of(login("li", secret));
  ASSERT_FALSE(cookie.empty());
  const std::string claim = "/v1/tickets/T-1/claim";
  EXPECT_EQ(http_request_with(port(), http::verb::post, claim, browser(cookie, "http://evil.example")).status, 403);
  EXPECT_EQ(http_request_with(port(), http::verb::post, claim, browser(cookie, "")).status, 403);
  // From the console's own origin it reaches the queue (no such ticket: 400).
  EXPECT_EQ(http_request_with(port(), http::verb::post, claim, browser(cookie, origin())).status, 400);
  EXPECT_EQ(http_request_with(port(), http::verb::post, "/v1/login", {{"Origin", "http://evil.example"}},
                              R"({"agent":"li","secret":")" + secret + R"("})")
                .status,
            403);

  WsClient evil, none, own;
  EXPECT_EQ(evil.connect(port(), "/v1/agent", "", "", kDefaultTimeout, browser(cookie, "http://evil.example")).status,
            403);
  EXPECT_EQ(none.connect(port(), "/v1/agent", "", "", kDefaultTimeout, browser(cookie, "")).status, 403);
  EXPECT_TRUE(own.connect(port(), "/v1/agent", "", "", kDefaultTimeout, browser(cookie, origin())).ok);
  WsClient stranger;
  EXPECT_EQ(stranger.connect(port(), "/v1/agent", "", "", kDefaultTimeout, browser("xiaoer_session=0", origin())).status,
            401);
}

TEST_F(ConsoleTest, AnAgentActsAsItselfOnlyAndTheGatewayGetsItsName) {
  make();
  const std::string li_secret = add_agent("li");
  add_agent("wang");
  ASSERT_TRUE(start());
  const std::string cookie = cookie_of(login("li", li_secret));
  auto gw = gateway();
  ASSERT_TRUE(gw);
  const auto handoff = ask(*gw, "c-1", "shop:buyer-c1", "转人工");
  ASSERT_TRUE(handoff && (*handoff)["type"] == "handoff") << (handoff ? handoff->dump() : "");
  const std::string ticket = (*handoff)["ticket"];
  const std::string base = "/v1/tickets/" + ticket;

  // Naming someone else: 403, over HTTP and over the websocket.
  EXPECT_EQ(http_request_with(port(), http::verb::post, base + "/claim", browser(cookie, origin()),
                              R"({"agent":"wang"})")
                .status,
            403);
  WsClient ws;
  ASSERT_TRUE(ws.connect(port(), "/v1/agent", "", "?agent=wang", kDefaultTimeout, browser(cookie, origin())).ok);
  ASSERT_TRUE(ws.send(R"({"type":"claim","ticket":")" + ticket + R"(","agent":"wang","request_id":"r1"})"));
  const auto refused = ws.read_type("error");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "forbidden");

  // Naming oneself or nobody: done as li (the ?agent= of a named agent's
  // connection counts for nothing).
  const HttpResult claimed =
      http_request_with(port(), http::verb::post, base + "/claim", browser(cookie, origin()), R"({"agent":"li"})");
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  EXPECT_EQ(claimed.body_json()["ticket"]["agent"], "li");
  ASSERT_TRUE(ws.send(R"({"type":"send","ticket":")" + ticket + R"(","text":"亲，我是小李","request_id":"r2"})"));
  const auto sent = ws.read_type("ok");
  ASSERT_TRUE(sent) << "no ok";
  const auto pushed = gw->read_type("agent_reply");
  ASSERT_TRUE(pushed);
  EXPECT_EQ((*pushed)["agent"], "li");

  // GET of one ticket: the whole ticket, as agents see it.
  const HttpResult one = http_request_with(port(), http::verb::get, base, browser(cookie, ""));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.body_json()["id"], ticket);
  EXPECT_EQ(one.body_json()["agent"], "li");
  EXPECT_EQ(http_request_with(port(), http::verb::get, "/v1/tickets/T-999999", browser(cookie, "")).status, 404);
}

TEST_F(ConsoleTest, ResolvedTicketsAreInTheHistoryAndANoteKeepsItsAuthor) {
  make();
  const std::string secret = add_agent("li");
  ASSERT_TRUE(start());
  const std::string cookie = cookie_of(login("li", secret));
  auto gw = gateway();
  ASSERT_TRUE(gw);
  const auto handoff = ask(*gw, "h-1", "shop:history-buyer", "转人工");
  ASSERT_TRUE(handoff && (*handoff)["type"] == "handoff");
  const std::string base = "/v1/tickets/" + (*handoff)["ticket"].get<std::string>();
  ASSERT_EQ(http_request_with(port(), http::verb::post, base + "/note", browser(cookie, origin()),
                              R"({"text":"老客户"})")
                .status,
            200);
  const HttpResult resolved = http_request_with(port(), http::verb::post, base + "/resolve", browser(cookie, origin()));
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  const HttpResult found =
      http_request_with(port(), http::verb::get, "/v1/history?q=history-buyer", browser(cookie, ""));
  ASSERT_EQ(found.status, 200) << found.body;
  const json tickets = found.body_json()["tickets"];
  ASSERT_EQ(tickets.size(), 1u) << found.body;
  EXPECT_EQ(tickets[0]["state"], "resolved");
  EXPECT_EQ(tickets[0]["transcript"].back()["from"], "note");
  EXPECT_EQ(tickets[0]["transcript"].back()["agent"], "li");
  EXPECT_TRUE(http_request_with(port(), http::verb::get, "/v1/history?q=nobody", browser(cookie, ""))
                  .body_json()["tickets"]
                  .empty());
}

TEST_F(ConsoleTest, AnAgentTakesNoMoreChatsThanItsCapacity) {
  make();
  const std::string secret = add_agent("li", "--capacity 1");
  ASSERT_TRUE(start());
  const std::string cookie = cookie_of(login("li", secret));
  auto gw = gateway();
  ASSERT_TRUE(gw);
  std::vector<std::string> tickets;
  for (const char* chat : {"shop:cap-1", "shop:cap-2"}) {
    const auto handoff = ask(*gw, std::string("id-") + chat, chat, "转人工");
    ASSERT_TRUE(handoff && (*handoff)["type"] == "handoff");
    tickets.push_back((*handoff)["ticket"]);
  }
  const auto claim = [&](const std::string& ticket) {
    return http_request_with(port(), http::verb::post, "/v1/tickets/" + ticket + "/claim", browser(cookie, origin()));
  };
  EXPECT_EQ(claim(tickets[0]).status, 200);
  const HttpResult full = claim(tickets[1]);
  EXPECT_EQ(full.status, 400);
  EXPECT_NE(full.body.find("capacity"), std::string::npos) << full.body;
}


// console.auto_assign: each new ticket goes to the online agent with the
// most free capacity (ties: the longest idle); never to one away, nor to
// one with no console open, however much room it has.
TEST_F(ConsoleTest, AutoAssignmentGivesANewTicketToTheOnlineAgentWithTheMostRoom) {
  DaemonConfig config;
  config.console_options = "auto_assign: true";
  make(config);
  std::map<std::string, std::string> secrets = {{"li", add_agent("li", "--capacity 2")},
                                                {"wang", add_agent("wang", "--capacity 3")},
                                                {"zhao", add_agent("zhao", "--capacity 9")}};
  add_agent("qian", "--capacity 9");  // never connects
  ASSERT_TRUE(start());
  std::map<std::string, std::unique_ptr<WsClient>> consoles;
  std::map<std::string, std::string> cookies;
  for (const auto& [name, secret] : secrets) {
    cookies[name] = cookie_of(login(name, secret));
    consoles[name] = console_ws(port(), browser(cookies[name], origin()));
    ASSERT_TRUE(consoles[name]) << name;
  }
  ASSERT_EQ(http_request_with(port(), http::verb::post, "/v1/presence", browser(cookies["zhao"], origin()),
                              R"({"status":"away"})")
                .status,
            200);
  auto gw = gateway();
  ASSERT_TRUE(gw);
  const auto holder = [&](const std::string& ticket) -> std::string {
    std::string agent;
    wait_until(
        [&] {
          const HttpResult r = http_request_with(port(), http::verb::get, "/v1/tickets/" + ticket,
                                                 {{"Authorization", std::string("Bearer ") + DaemonProcess::kAgentToken}});
          agent = r.status == 200 ? r.body_json().value("agent", "") : "";
          return !agent.empty();
        },
        std::chrono::milliseconds(5000));
    return agent;
  };
  std::vector<std::string> holders;
  for (int i = 0; i < 4; ++i) {
    const std::string chat = "shop:auto-" + std::to_string(i);
    const auto handoff = ask(*gw, "a-" + std::to_string(i), chat, "转人工");
    ASSERT_TRUE(handoff && (*handoff)["type"] == "handoff");
    holders.push_back(holder((*handoff)["ticket"]));
  }
  // wang 3 free; then 2 and 2: li, idle longest; then wang 2, li 1; then 1 and 1: li idle longer.
  EXPECT_EQ(holders, (std::vector<std::string>{"wang", "li", "wang", "li"}));
  const auto fifth = ask(*gw, "a-5", "shop:auto-5", "转人工");
  ASSERT_TRUE(fifth && (*fifth)["type"] == "handoff");
  const std::string last = (*fifth)["ticket"];
  EXPECT_EQ(holder(last), "wang");
  const auto sixth = ask(*gw, "a-6", "shop:auto-6", "转人工");
  ASSERT_TRUE(sixth && (*sixth)["type"] == "handoff");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const HttpResult unassigned = http_request_with(port(), http::verb::get, "/v1/tickets/" + (*sixth)["ticket"].get<std::string>(),
                                                  {{"Authorization", std::string("Bearer ") + DaemonProcess::kAgentToken}});
  EXPECT_EQ(unassigned.body_json()["state"], "waiting") << "everyone online is full: it waits in line";
}

// console.disconnect_grace_s: an agent gone (no console, no request) past
// the grace loses the tickets it has not answered; the one it answered
// stays its own.
TEST_F(ConsoleTest, AnAbsentAgentsUnansweredTicketsGoBackInLine) {
  DaemonConfig config;
  config.console_options = "disconnect_grace_s: 1";
  make(config);
  const std::string secret = add_agent("li");
  ASSERT_TRUE(start());
  const std::string cookie = cookie_of(login("li", secret));
  auto ws = console_ws(port(), browser(cookie, origin()));
  ASSERT_TRUE(ws);
  auto gw = gateway();
  ASSERT_TRUE(gw);
  std::vector<std::string> tickets;
  for (const char* chat : {"shop:gone-1", "shop:gone-2"}) {
    const auto handoff = ask(*gw, std::string("g-") + chat, chat, "转人工");
    ASSERT_TRUE(handoff && (*handoff)["type"] == "handoff");
    tickets.push_back((*handoff)["ticket"]);
    ASSERT_EQ(http_request_with(port(), http::verb::post, "/v1/tickets/" + tickets.back() + "/claim",
                                browser(cookie, origin()))
                  .status,
              200);
  }
  ASSERT_EQ(http_request_with(port(), http::verb::post, "/v1/tickets/" + tickets[0] + "/send",
                              browser(cookie, origin()), R"({"text":"您好"})")
                .status,
            200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto state_of = [&](const std::string& ticket) {
    const json t = http_request_with(port(), http::verb::get, "/v1/tickets/" + ticket,
                                     {{"Authorization", std::string("Bearer ") + DaemonProcess::kAgentToken}})
                       .body_json();
    return t.value("state", "") + ":" + t.value("agent", "");
  };
  EXPECT_EQ(state_of(tickets[1]), "claimed:li") << "connected: nothing is taken back";
  ws.reset();  // the console closed
  EXPECT_TRUE(wait_until([&] { return state_of(tickets[1]) == "waiting:"; }, std::chrono::milliseconds(5000)));
  EXPECT_EQ(state_of(tickets[0]), "claimed:li") << "answered by li: stays li's";
}

// console.sessions_file: a daemon restart logs nobody out; the file keeps
// hashes, never the cookie's token.
TEST_F(ConsoleTest, ALoginOutlivesARestart) {
  make();
  const std::string secret = add_agent("li");
  ASSERT_TRUE(start());
  const std::string cookie = cookie_of(login("li", secret));
  ASSERT_FALSE(cookie.empty());
  daemon_->stop();
  ASSERT_TRUE(start());
  const HttpResult me = http_request_with(port(), http::verb::get, "/v1/me", browser(cookie, ""));
  EXPECT_EQ(me.status, 200) << me.body;
  std::string file;
  ASSERT_TRUE(common::read_file((daemon_->dir() / "state" / "console.sessions").string(), &file));
  EXPECT_EQ(file.find(cookie.substr(cookie.find('=') + 1)), std::string::npos);
}

TEST_F(ConsoleTest, TheSecretIsNeverInALogLineOrAMetric) {
  make();
  const std::string secret = add_agent("li");
  ASSERT_TRUE(start());
  const std::string cookie = cookie_of(login("li", secret));
  login("li", secret + "x");
  // A secret typed into the name field is not logged either.
  login(secret, secret);
  http_request_with(port(), http::verb::get, "/v1/me", browser(cookie, ""));
  const std::string token = cookie.substr(cookie.find('=') + 1);
  const std::string everything = daemon_->log() + metrics();
  EXPECT_EQ(everything.find(secret), std::string::npos);
  EXPECT_EQ(everything.find(token), std::string::npos);
  // Where the accounts are kept: the agents file, or Redis's files.
  std::string kept;
  if (daemon_->on_redis()) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(daemon_->redis_dir())) {
      if (entry.is_regular_file()) kept += read_file(entry.path());
    }
    EXPECT_NE(kept.find("pbkdf2"), std::string::npos) << "the account is not in Redis's files";
  } else {
    kept = read_file(daemon_->dir() / "agents.yaml");
  }
  EXPECT_EQ(kept.find(secret), std::string::npos) << "only a hash is kept";
}

TEST_F(ConsoleTest, ThePageIsServedWithAStrictPolicy) {
  ASSERT_TRUE(start());
  const HttpResult page = http_request(port(), http::verb::get, "/console/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.header("Content-Type").find("text/html"), std::string::npos);
  const std::string policy = page.header("Content-Security-Policy");
  EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << policy;
  EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << policy;
  EXPECT_EQ(http_request(port(), http::verb::get, "/console/../xiaoerd.yaml").status, 404);
  EXPECT_EQ(http_request(port(), http::verb::get, "/console/.hidden").status, 404);
  EXPECT_EQ(http_request(port(), http::verb::get, "/console").status, 301);
}

}  // namespace
}  // namespace xiaoer::it
