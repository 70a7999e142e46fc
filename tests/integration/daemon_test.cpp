// Black-box tests of the real daemon (SPEC 4, 5, 7, 8; docs/protocol.md):
// each test starts `xiaoerd serve` on a free loopback port with a temp config
// (tests/integration/daemon_process.hpp) and speaks the protocol to it with
// Beast clients written here (tests/integration/ws_client.hpp), through the
// helpers and fixture the other integration tests share
// (tests/integration/it_support.hpp).
#include "tests/integration/it_support.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

namespace xiaoer::it {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---- helpers ----------------------------------------------------------------

bool has_intent_with_prefix(const json& answer, std::string_view prefix) {
  if (!answer.contains("intents") || !answer["intents"].is_array()) return false;
  for (const auto& name : answer["intents"]) {
    if (name.is_string() && name.get<std::string>().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

bool exited_zero(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

void write_text_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Intent `name`'s block in an intent file, as [begin, end) offsets: from its
// "  name:" line to the next line indented less than four spaces (the next
// intent, or the end of the intents map). Blank lines do not end it.
std::pair<std::size_t, std::size_t> intent_block(const std::string& file, const std::string& name) {
  constexpr auto npos = std::string::npos;
  const std::string head = "\n  " + name + ":\n";
  const std::size_t found = file.find(head);
  if (found == npos) return {npos, npos};
  const std::size_t begin = found + 1;
  std::size_t line = begin + head.size() - 1;
  while (line < file.size()) {
    const bool blank = file[line] == '\n';
    if (!blank && file.compare(line, 4, "    ") != 0) break;
    const std::size_t eol = file.find('\n', line);
    line = eol == npos ? file.size() : eol + 1;
  }
  return {begin, line};
}

// `file` with one extra pattern line at the top of intent `name`'s patterns.
std::string with_extra_pattern(const std::string& file, const std::string& name, const std::string& pattern_line) {
  const auto [begin, end] = intent_block(file, name);
  if (begin == std::string::npos) return {};
  const std::size_t at = file.find("    patterns:\n", begin);
  if (at == std::string::npos || at >= end) return {};
  std::string out = file;
  out.insert(at + std::string("    patterns:\n").size(), pattern_line + "\n");
  return out;
}

// `file` with intent `name`'s replies replaced by one reply.
std::string with_replies(const std::string& file, const std::string& name, const std::string& reply) {
  const auto [begin, end] = intent_block(file, name);
  if (begin == std::string::npos) return {};
  const std::string key = "    replies:\n";
  const std::size_t at = file.find(key, begin);
  if (at == std::string::npos || at >= end) return {};
  std::size_t stop = at + key.size();
  while (stop < end && file.compare(stop, 8, "      - ") == 0) stop = file.find('\n', stop) + 1;
  std::string out = file.substr(0, at + key.size());
  out += "      - '" + reply + "'\n";
  out += file.substr(stop);
  return out;
}

// What systemd does for Type=notify: a datagram socket the daemon writes to.
class NotifySocket {
 public:
  explicit NotifySocket(fs::path path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = path_.string();
    if (fd_ < 0 || p.size() >= sizeof(addr.sun_path)) {
      ADD_FAILURE() << "notify socket: " << std::strerror(errno);
      return;
    }
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
      ADD_FAILURE() << "bind " << p << ": " << std::strerror(errno);
    }
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    std::error_code ec;
    fs::remove(path_, ec);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  std::string env() const { return "NOTIFY_SOCKET=" + path_.string(); }

  std::optional<std::string> receive(Millis timeout) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) return std::nullopt;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }

  // The next datagram starting with `prefix` within `timeout`; the others
  // (WATCHDOG=1 pings, …) go to *skipped when given.
  std::optional<std::string> wait_for(std::string_view prefix, Millis timeout,
                                      std::vector<std::string>* skipped = nullptr) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto datagram = receive(left);
      if (!datagram) return std::nullopt;
      if (datagram->rfind(prefix, 0) == 0) return datagram;
      if (skipped) skipped->push_back(*datagram);
    }
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

// ---- fixture ----------------------------------------------------------------

// One daemon per test (ItTest, tests/integration/it_support.hpp); these
// tests use no bystander and check the daemon with expect_alive().
class DaemonTest : public ItTest {};

// ---- 1. every answer type ---------------------------------------------------

TEST_F(DaemonTest, AnswersEveryType) {
  ASSERT_TRUE(start());
  auto gw = gateway();
  ASSERT_TRUE(gw);

  const auto reply = ask(*gw, "m-1", "shop7:buyer1", "亲 发什么快递");
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["type"], "reply");
  EXPECT_EQ((*reply)["in_reply_to"], "m-1");
  EXPECT_EQ((*reply)["chat"], "shop7:buyer1");
  EXPECT_FALSE((*reply)["text"].get<std::string>().empty());
  ASSERT_TRUE((*reply)["intents"].is_array());
  EXPECT_NE(std::find((*reply)["intents"].begin(), (*reply)["intents"].end(), "shipping.courier"),
            (*reply)["intents"].end())
      << reply->dump();
  EXPECT_TRUE((*reply)["confidence"].is_number());

  const auto handoff = ask(*gw, "m-2", "shop7:buyer2", "转人工");
  ASSERT_TRUE(handoff);
  EXPECT_EQ((*handoff)["type"], "handoff") << handoff->dump();
  EXPECT_EQ((*handoff)["in_reply_to"], "m-2");
  EXPECT_EQ((*handoff)["chat"], "shop7:buyer2");
  EXPECT_EQ((*handoff)["reason"], "asked_for_human");
  ASSERT_TRUE((*handoff)["ticket"].is_string());
  const std::string ticket = (*handoff)["ticket"];
  EXPECT_EQ(ticket.rfind("T-", 0), 0u);
  ASSERT_TRUE((*handoff)["position"].is_number_integer());
  EXPECT_GE((*handoff)["position"].get<int>(), 1);
  EXPECT_FALSE((*handoff)["text"].get<std::string>().empty());

  const auto hold = ask(*gw, "m-3", "shop7:buyer2", "在吗 快点");
  ASSERT_TRUE(hold);
  EXPECT_EQ((*hold)["type"], "hold") << hold->dump();
  EXPECT_EQ((*hold)["chat"], "shop7:buyer2");
  EXPECT_EQ((*hold)["ticket"], ticket);

  ASSERT_TRUE(gw->send("{not json"));
  const auto error = gw->read_json();
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["type"], "error");
  EXPECT_EQ((*error)["code"], "bad_json");
  EXPECT_FALSE(error->contains("in_reply_to"));

  ASSERT_TRUE(gw->send(R"({"type":"message","id":"m-4","chat":"shop7:buyer1"})"));
  const auto missing = gw->read_answer("m-4");
  ASSERT_TRUE(missing);
  EXPECT_EQ((*missing)["type"], "error");
  EXPECT_EQ((*missing)["code"], "bad_request");
  EXPECT_NE((*missing)["message"].get<std::string>().find("text"), std::string::npos) << missing->dump();
}

// ---- 2. resend --------------------------------------------------------------

TEST_F(DaemonTest, ResendGetsTheSameFrameAndCountsOnce) {
  ASSERT_TRUE(start());
  auto gw = gateway();
  ASSERT_TRUE(gw);
  const std::string frame = message_frame("r-1", "shop7:resend", "亲 发什么快递");
  ASSERT_TRUE(gw->send(frame));
  const auto first = gw->read_answer_text("r-1");
  ASSERT_TRUE(first);
  ASSERT_TRUE(gw->send(frame));
  const auto second = gw->read_answer_text("r-1");
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);

  // From another connection too (a gateway that reconnected).
  auto again = gateway();
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->send(frame));
  const auto third = again->read_answer_text("r-1");
  ASSERT_TRUE(third);
  EXPECT_EQ(*first, *third);

  const std::string m = metrics();
  EXPECT_EQ(metric_sample(m, "xiaoer_resends_total"), 2.0) << m;
  EXPECT_EQ(metric_family_sum(m, "xiaoer_messages_total"), 1.0) << m;
  EXPECT_EQ(metric_sample(m, "xiaoer_answers_total{type=\"reply\"}"), 1.0) << m;
}

// ---- 3. two topics ------------------------------------------------------------

TEST_F(DaemonTest, TwoTopicsInOneMessageGetOneReply) {
  ASSERT_TRUE(start());
  auto gw = gateway();
  ASSERT_TRUE(gw);
  const auto answer = ask(*gw, "t-1", "shop7:two", "发什么快递 能开发票吗");
  ASSERT_TRUE(answer);
  EXPECT_EQ((*answer)["type"], "reply") << answer->dump();
  EXPECT_TRUE(has_intent_with_prefix(*answer, "shipping.")) << answer->dump();
  EXPECT_TRUE(has_intent_with_prefix(*answer, "invoice.")) << answer->dump();
  // Exactly one answer: nothing else arrives for t-1.
  const auto extra = gw->read_text(300ms);
  EXPECT_FALSE(extra.has_value()) << *extra;
}

// ---- 4. size dialogue ---------------------------------------------------------

TEST_F(DaemonTest, SizeDialogueOverTwoMessages) {
  ASSERT_TRUE(start());
  auto gw = gateway();
  ASSERT_TRUE(gw);
  const auto asks = ask(*gw, "s-1", "shop7:size", "穿什么码");
  ASSERT_TRUE(asks);
  EXPECT_EQ((*asks)["type"], "reply") << asks->dump();
  const std::string question = (*asks)["text"];
  EXPECT_TRUE(question.find("身高") != std::string::npos || question.find("体重") != std::string::npos) << question;

  const auto recommends = ask(*gw, "s-2", "shop7:size", "165 110");
  ASSERT_TRUE(recommends);
  EXPECT_EQ((*recommends)["type"], "reply") << recommends->dump();
  const std::string text = (*recommends)["text"];
  bool sized = false;
  for (const char* size : {"XS码", "S码", "M码", "L码", "XL码", "XXL码"}) sized = sized || text.find(size) != std::string::npos;
  EXPECT_TRUE(sized) << text;
  EXPECT_TRUE(has_intent_with_prefix(*recommends, "size.")) << recommends->dump();
}

// ---- 5. handoff by complaint and by two unresolved turns ----------------------

TEST_F(DaemonTest, HandsOffComplaintsAndUnresolvedChats) {
  ASSERT_TRUE(start());
  auto gw = gateway();
  ASSERT_TRUE(gw);
  const auto complaint = ask(*gw, "c-1", "shop7:angry", "太差了 我要投诉");
  ASSERT_TRUE(complaint);
  EXPECT_EQ((*complaint)["type"], "handoff") << complaint->dump();
  EXPECT_EQ((*complaint)["reason"], "complaint");

  const auto first = ask(*gw, "u-1", "shop7:lost", "手机电池不耐用怎么办");
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["type"], "reply") << first->dump();
  const auto second = ask(*gw, "u-2", "shop7:lost", "手机屏幕总是闪屏");
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)["type"], "handoff") << second->dump();
  EXPECT_EQ((*second)["reason"], "unresolved");

  // Complaints go first in line.
  const HttpResult queue = tickets();
  ASSERT_EQ(queue.status, 200) << queue.body;
  const json q = queue.body_json();
  ASSERT_EQ(q["tickets"].size(), 2u) << queue.body;
  EXPECT_EQ(q["tickets"][0]["id"], (*complaint)["ticket"]);
  EXPECT_EQ(q["tickets"][0]["priority"], 1);
}

// ---- 6. agents --------------------------------------------------------------

TEST_F(DaemonTest, AgentClaimsSendsAndResolvesOverWebsocket) {
  ASSERT_TRUE(start());
  auto gw = gateway();
  auto li = agent("li");
  ASSERT_TRUE(gw && li);

  const auto handoff = ask(*gw, "a-1", "shop7:agentchat", "转人工");
  ASSERT_TRUE(handoff);
  ASSERT_EQ((*handoff)["type"], "handoff") << handoff->dump();
  const std::string ticket = (*handoff)["ticket"];

  const auto opened = li->read_type("ticket");
  ASSERT_TRUE(opened);
  EXPECT_EQ((*opened)["event"], "opened") << opened->dump();
  EXPECT_EQ((*opened)["ticket"]["id"], ticket);
  EXPECT_EQ((*opened)["ticket"]["chat"], "shop7:agentchat");
  EXPECT_EQ((*opened)["ticket"]["state"], "waiting");

  ASSERT_TRUE(li->send(R"({"type":"list"})"));
  const auto queue = li->read_type("queue");
  ASSERT_TRUE(queue);
  ASSERT_EQ((*queue)["tickets"].size(), 1u) << queue->dump();
  EXPECT_EQ((*queue)["tickets"][0]["id"], ticket);
  EXPECT_EQ((*queue)["tickets"][0]["position"], 1);

  ASSERT_TRUE(li->send(json{{"type", "claim"}, {"ticket", ticket}, {"request_id", "r-1"}}.dump()));
  const auto claimed = li->read_type("ok");
  ASSERT_TRUE(claimed);
  EXPECT_EQ((*claimed)["op"], "claim");
  EXPECT_EQ((*claimed)["request_id"], "r-1");
  EXPECT_EQ((*claimed)["ticket"]["state"], "claimed");
  EXPECT_EQ((*claimed)["ticket"]["agent"], "li");

  const std::string text = "您好，我是客服小李";
  ASSERT_TRUE(li->send(json{{"type", "send"}, {"ticket", ticket}, {"text", text}, {"request_id", "r-2"}}.dump()));
  const auto sent = li->read_type("ok");
  ASSERT_TRUE(sent);
  EXPECT_EQ((*sent)["op"], "send") << sent->dump();
  const auto pushed = gw->read_type("agent_reply");
  ASSERT_TRUE(pushed);
  EXPECT_EQ((*pushed)["chat"], "shop7:agentchat");
  EXPECT_EQ((*pushed)["text"], text);
  EXPECT_EQ((*pushed)["agent"], "li");
  EXPECT_EQ((*pushed)["ticket"], ticket);
  EXPECT_FALSE(pushed->contains("in_reply_to"));

  // While claimed, the buyer's messages are held.
  const auto hold = ask(*gw, "a-2", "shop7:agentchat", "好的 谢谢");
  ASSERT_TRUE(hold);
  EXPECT_EQ((*hold)["type"], "hold");

  ASSERT_TRUE(li->send(json{{"type", "resolve"}, {"ticket", ticket}, {"request_id", "r-3"}}.dump()));
  const auto resolved = li->read_type("ok");
  ASSERT_TRUE(resolved);
  EXPECT_EQ((*resolved)["op"], "resolve");
  EXPECT_EQ((*resolved)["ticket"]["state"], "resolved");

  // The chat is back with the bot.
  const auto back = ask(*gw, "a-3", "shop7:agentchat", "发什么快递");
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)["type"], "reply") << back->dump();

  // A refused operation: the ticket is gone.
  ASSERT_TRUE(li->send(json{{"type", "claim"}, {"ticket", ticket}, {"request_id", "r-4"}}.dump()));
  const auto refused = li->read_type("error");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "bad_request");
  EXPECT_EQ((*refused)["in_reply_to"], "r-4");
}

// An agent's reply goes to the gateway connection that last carried the
// chat's message; once that connection closes, to one still open.
TEST_F(DaemonTest, AgentRepliesFollowTheChatAcrossGatewayConnections) {
  ASSERT_TRUE(start());
  auto first = gateway();
  auto second = gateway();
  auto li = agent("li");
  ASSERT_TRUE(first && second && li);
  const std::string chat = "shop7:routed";
  const auto handoff = ask(*first, "r-1", chat, "转人工");
  ASSERT_TRUE(handoff);
  ASSERT_EQ((*handoff)["type"], "handoff") << handoff->dump();
  const std::string ticket = (*handoff)["ticket"];
  ASSERT_TRUE(li->send(json{{"type", "claim"}, {"ticket", ticket}, {"request_id", "q-0"}}.dump()));
  ASSERT_TRUE(li->read_type("ok"));
  const auto agent_says = [&](const std::string& text, const std::string& request) {
    ASSERT_TRUE(li->send(json{{"type", "send"}, {"ticket", ticket}, {"text", text}, {"request_id", request}}.dump()));
    const auto ok = li->read_type("ok");
    ASSERT_TRUE(ok);
  };

  ASSERT_NO_FATAL_FAILURE(agent_says("第一条", "q-1"));
  const auto on_first = first->read_type("agent_reply");
  ASSERT_TRUE(on_first) << "the reply did not reach the connection that carried the handoff";
  EXPECT_EQ((*on_first)["text"], "第一条");

  const auto hold = ask(*second, "r-2", chat, "还在吗");
  ASSERT_TRUE(hold);
  ASSERT_EQ((*hold)["type"], "hold") << hold->dump();
  ASSERT_NO_FATAL_FAILURE(agent_says("第二条", "q-2"));
  const auto on_second = second->read_type("agent_reply");
  ASSERT_TRUE(on_second) << "the reply did not follow the chat to the connection of its last message";
  EXPECT_EQ((*on_second)["text"], "第二条");

  second->close();
  ASSERT_TRUE(wait_until([&] { return metric_sample(metrics(), "xiaoer_connections{role=\"gateway\"}") == 1.0; }, 5s));
  ASSERT_NO_FATAL_FAILURE(agent_says("第三条", "q-3"));
  const auto back_on_first = first->read_type("agent_reply");
  ASSERT_TRUE(back_on_first) << "the reply was not sent to the gateway connection still open";
  EXPECT_EQ((*back_on_first)["text"], "第三条");
}

TEST_F(DaemonTest, AgentOperationsOverHttp) {
  ASSERT_TRUE(start());
  auto gw = gateway();
  auto watcher = agent("li");
  ASSERT_TRUE(gw && watcher);
  const auto handoff = ask(*gw, "h-1", "shop7:httpchat", "转人工");
  ASSERT_TRUE(handoff);
  ASSERT_EQ((*handoff)["type"], "handoff");
  const std::string ticket = (*handoff)["ticket"];

  const HttpResult list = tickets();
  ASSERT_EQ(list.status, 200) << list.error << list.body;
  const json q = list.body_json();
  EXPECT_EQ(q["type"], "queue");
  ASSERT_EQ(q["tickets"].size(), 1u) << list.body;
  EXPECT_EQ(q["tickets"][0]["id"], ticket);
  EXPECT_EQ(q["tickets"][0]["state"], "waiting");

  EXPECT_EQ(http_request(port(), http::verb::get, "/v1/tickets").status, 401);
  EXPECT_EQ(http_request(port(), http::verb::get, "/v1/tickets", "wrong-token").status, 401);

  const std::string base = "/v1/tickets/" + ticket;
  const HttpResult claim =
      http_request(port(), http::verb::post, base + "/claim", DaemonProcess::kAgentToken, R"({"agent":"wang"})");
  ASSERT_EQ(claim.status, 200) << claim.body;
  const json ok = claim.body_json();
  EXPECT_EQ(ok["type"], "ok");
  EXPECT_EQ(ok["op"], "claim");
  EXPECT_EQ(ok["ticket"]["agent"], "wang");
  EXPECT_EQ(ok["ticket"]["state"], "claimed");

  // The agent websockets see the change.
  std::optional<json> event;
  while ((event = watcher->read_type("ticket")) && (*event)["event"] != "claimed") {
  }
  ASSERT_TRUE(event);
  EXPECT_EQ((*event)["ticket"]["agent"], "wang");

  // Someone else cannot claim it again.
  const HttpResult again =
      http_request(port(), http::verb::post, base + "/claim", DaemonProcess::kAgentToken, R"({"agent":"li"})");
  EXPECT_EQ(again.status, 400) << again.body;

  const HttpResult send = http_request(port(), http::verb::post, base + "/send", DaemonProcess::kAgentToken,
                                       R"({"agent":"wang","text":"亲，我是小王"})");
  ASSERT_EQ(send.status, 200) << send.body;
  const auto pushed = gw->read_type("agent_reply");
  ASSERT_TRUE(pushed);
  EXPECT_EQ((*pushed)["agent"], "wang");
  EXPECT_EQ((*pushed)["text"], "亲，我是小王");
  EXPECT_EQ((*pushed)["ticket"], ticket);

  const HttpResult resolve =
      http_request(port(), http::verb::post, base + "/resolve", DaemonProcess::kAgentToken, R"({"agent":"wang"})");
  ASSERT_EQ(resolve.status, 200) << resolve.body;
  EXPECT_EQ(resolve.body_json()["ticket"]["state"], "resolved");
  EXPECT_EQ(tickets().body_json()["tickets"].size(), 0u);

  const auto back = ask(*gw, "h-2", "shop7:httpchat", "发什么快递");
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)["type"], "reply") << back->dump();
}

// ---- 7. courtesy notice -------------------------------------------------------

TEST_F(DaemonTest, WaitingTicketGetsOneCourtesyNotice) {
  DaemonConfig config;
  config.notice_after_s = 1;
  ASSERT_TRUE(start_with(config));
  auto gw = gateway();
  ASSERT_TRUE(gw);
  const auto handoff = ask(*gw, "n-1", "shop7:waiting", "转人工");
  ASSERT_TRUE(handoff);
  ASSERT_EQ((*handoff)["type"], "handoff");
  const auto notice = gw->read_type("notice", 3500ms);
  ASSERT_TRUE(notice) << "no notice within 3.5 s";
  EXPECT_EQ((*notice)["chat"], "shop7:waiting");
  EXPECT_EQ((*notice)["ticket"], (*handoff)["ticket"]);
  EXPECT_FALSE((*notice)["text"].get<std::string>().empty());
  EXPECT_FALSE(notice->contains("in_reply_to"));
  // One notice, not one a second.
  const auto second = gw->read_type("notice", 1500ms);
  EXPECT_FALSE(second.has_value()) << second->dump();
}

// ---- 8. authentication at the upgrade -----------------------------------------

TEST_F(DaemonTest, RefusesUpgradesWithoutTheRightToken) {
  ASSERT_TRUE(start());
  const auto status = [&](std::string_view path, std::string_view token, std::string_view query = "") {
    WsClient client;
    const Handshake h = client.connect(port(), path, token, query);
    EXPECT_FALSE(h.ok) << path << query;
    return h.status;
  };
  EXPECT_EQ(status("/v1/gateway", ""), 401);
  EXPECT_EQ(status("/v1/gateway", "not-the-token"), 401);
  EXPECT_EQ(status("/v1/agent", ""), 401);
  EXPECT_EQ(status("/v1/agent", DaemonProcess::kGatewayToken), 403);
  EXPECT_EQ(status("/v1/gateway", DaemonProcess::kAgentToken), 403);
  EXPECT_EQ(status("/v1/gateway", "", std::string("?token=") + DaemonProcess::kGatewayToken), 401);
  EXPECT_EQ(status("/v1/gateway", DaemonProcess::kGatewayToken, std::string("?token=") + DaemonProcess::kGatewayToken),
            401);
  EXPECT_EQ(status("/v1/agent", DaemonProcess::kAgentToken, std::string("?agent=li&access_token=x")), 401);
  EXPECT_EQ(status("/v1/elsewhere", DaemonProcess::kGatewayToken), 404);
  // Tokens are never logged.
  EXPECT_EQ(daemon_->log().find(DaemonProcess::kGatewayToken), std::string::npos);
  EXPECT_EQ(daemon_->log().find(DaemonProcess::kAgentToken), std::string::npos);
  expect_alive("auth");
}

// docs/protocol.md §1 and §6: past limits.connections, upgrades get HTTP 503.
TEST_F(DaemonTest, RefusesUpgradesPastTheConnectionLimitWith503) {
  DaemonConfig config;
  config.connections = 2;
  ASSERT_TRUE(start_with(config));
  auto first = gateway();
  auto second = gateway();
  ASSERT_TRUE(first && second);
  WsClient third;
  const Handshake h = third.connect(port(), "/v1/gateway", DaemonProcess::kGatewayToken);
  EXPECT_FALSE(h.ok);
  EXPECT_EQ(h.status, 503) << h.error;
  // The open connections are unaffected, and a place frees up on close.
  const auto answer = ask(*first, "l-1", "shop7:limit", "发什么快递");
  ASSERT_TRUE(answer);
  EXPECT_EQ((*answer)["type"], "reply");
  second->close();
  EXPECT_TRUE(wait_until([&] { return metric_sample(metrics(), "xiaoer_connections{role=\"gateway\"}") == 1.0; }, 3000ms));
  expect_alive("limit");
}

// ---- 9. bad input (SPEC 8) ----------------------------------------------------

TEST_F(DaemonTest, BadFramesGetErrorsOrClosesAndHarmNoOne) {
  DaemonConfig config;
  config.messages_per_second = 2;
  config.burst = 2;
  config.frame_bytes = 65536;
  config.text_bytes = 1024;
  ASSERT_TRUE(start_with(config));
  auto main = gateway();
  ASSERT_TRUE(main);

  const auto error_for = [&](const std::string& frame) -> json {
    EXPECT_TRUE(main->send(frame));
    auto answer = main->read_json();
    if (!answer) {
      ADD_FAILURE() << "no answer to " << frame.substr(0, 200);
      return json::object();
    }
    EXPECT_EQ((*answer)["type"], "error") << answer->dump();
    return *answer;
  };

  {
    const json e = error_for("this is not json");
    EXPECT_EQ(e["code"], "bad_json");
    EXPECT_FALSE(e.contains("in_reply_to"));
  }
  {
    const json e = error_for(R"({"type":"message","id":"b-1","chat":"shop7:bad","text":5})");
    EXPECT_EQ(e["code"], "bad_request");
    EXPECT_EQ(e["in_reply_to"], "b-1");
    EXPECT_NE(e["message"].get<std::string>().find("text"), std::string::npos) << e.dump();
  }
  {
    const json e = error_for(R"({"type":"message","id":"b-2","text":"hi"})");
    EXPECT_EQ(e["code"], "bad_request");
    EXPECT_EQ(e["in_reply_to"], "b-2");
    EXPECT_NE(e["message"].get<std::string>().find("chat"), std::string::npos) << e.dump();
  }
  {
    const json e = error_for(R"({"type":"message","id":"b-3","chat":"shop7:bad","text":"hi","ts":1.5})");
    EXPECT_EQ(e["code"], "bad_request");
    EXPECT_NE(e["message"].get<std::string>().find("ts"), std::string::npos) << e.dump();
  }
  {
    const json e = error_for(R"({"type":"message","id":7,"chat":"shop7:bad","text":"hi"})");
    EXPECT_EQ(e["code"], "bad_request");
    EXPECT_NE(e["message"].get<std::string>().find("id"), std::string::npos) << e.dump();
    EXPECT_FALSE(e.contains("in_reply_to"));
  }
  {
    const json e = error_for(R"([1,2,3])");
    EXPECT_EQ(e["code"], "bad_request");
  }
  {
    const json e = error_for(R"({"type":"hello","id":"b-4"})");
    EXPECT_EQ(e["code"], "bad_request");
    EXPECT_NE(e["message"].get<std::string>().find("hello"), std::string::npos) << e.dump();
  }
  {
    const json e = error_for(std::string(100, '[') + std::string(100, ']'));
    EXPECT_EQ(e["code"], "bad_json");
    EXPECT_NE(e["message"].get<std::string>().find("nesting"), std::string::npos) << e.dump();
  }
  {
    const json e = error_for(message_frame("b-5", "shop7:bad", std::string(2000, 'a')));
    EXPECT_EQ(e["code"], "too_large");
    EXPECT_EQ(e["in_reply_to"], "b-5");
  }
  // An error is not remembered: the same id, fixed, is a new message.
  {
    const auto fixed = ask(*main, "b-5", "shop7:bad", "发什么快递");
    ASSERT_TRUE(fixed);
    EXPECT_EQ((*fixed)["type"], "reply");
  }
  expect_alive("errors");

  // Invalid UTF-8 in a text frame: closed with 1007, or answered bad_utf8.
  {
    auto client = gateway();
    ASSERT_TRUE(client);
    const std::string bad = std::string(R"({"type":"message","id":"u-1","chat":"shop7:utf","text":")") +
                            "\xff\xfe\xc0\xaf" + R"("})";
    ASSERT_TRUE(client->send(bad));
    const auto frame = client->read_json(3000ms);
    if (frame) {
      EXPECT_EQ((*frame)["type"], "error") << frame->dump();
      EXPECT_EQ((*frame)["code"], "bad_utf8") << frame->dump();
    } else {
      EXPECT_EQ(client->wait_closed(3000ms), 1007);
    }
  }
  expect_alive("utf8");

  // A frame over limits.frame_bytes: closed with 1009.
  {
    auto client = gateway();
    ASSERT_TRUE(client);
    client->send(message_frame("big-1", "shop7:big", std::string(70000, 'a')));
    const auto code = client->wait_closed(3000ms);
    ASSERT_TRUE(code.has_value()) << "a frame over frame_bytes did not close the connection";
    // 1006: the close frame was lost to the reset the daemon's close sends
    // while our frame's tail is still unread (as in HostileTest's 10 MB).
    EXPECT_TRUE(*code == 1009 || *code == 1006) << *code << " " << client->end_reason();
  }
  expect_alive("frame_bytes");

  // A binary frame: closed with 1003.
  {
    auto client = gateway();
    ASSERT_TRUE(client);
    ASSERT_TRUE(client->send_binary(message_frame("bin-1", "shop7:bin", "发什么快递")));
    EXPECT_EQ(client->wait_closed(3000ms), 1003);
  }
  expect_alive("binary");

  // A flood in one chat: the excess is rate_limited, one answer per id.
  {
    for (int i = 0; i < 10; ++i) {
      std::string id = "f-";
      id.append(std::to_string(i));
      ASSERT_TRUE(main->send(message_frame(id, "shop7:flood", "发什么快递")));
    }
    std::map<std::string, std::string> answers;
    while (answers.size() < 10) {
      const auto frame = main->read_json(3000ms);
      ASSERT_TRUE(frame) << answers.size() << " answers of 10";
      const std::string id = frame->value("in_reply_to", "");
      EXPECT_EQ(answers.count(id), 0u) << "two answers to " << id;
      const std::string kind = (*frame)["type"] == "error" ? (*frame)["code"].get<std::string>() : (*frame)["type"].get<std::string>();
      answers[id] = kind;
    }
    int limited = 0;
    int replied = 0;
    for (const auto& [id, kind] : answers) {
      limited += kind == "rate_limited";
      replied += kind == "reply";
    }
    EXPECT_GE(limited, 1);
    EXPECT_GE(replied, 2);
    EXPECT_EQ(limited + replied, 10);
    // Other chats on the same connection are not limited.
    const auto other = ask(*main, "f-other", "shop7:calm", "包邮吗");
    ASSERT_TRUE(other);
    EXPECT_EQ((*other)["type"], "reply");
  }
  expect_alive("flood");

  // The first connection saw all of the above and is still fine.
  const auto last = ask(*main, "last", "shop7:last", "发什么快递");
  ASSERT_TRUE(last);
  EXPECT_EQ((*last)["type"], "reply");
}

// ---- 10. client mode ----------------------------------------------------------

TEST_F(DaemonTest, ClientModeRedialsAndResendsAreAnsweredOnce) {
  TestGateway gateway_server;
  DaemonConfig config;
  config.mode = "client";
  config.url = "ws://127.0.0.1:";
  config.url.append(std::to_string(gateway_server.port())).append("/ws");
  config.reconnect_min_ms = 50;
  config.reconnect_max_ms = 200;
  ASSERT_TRUE(start_with(config));

  std::string authorization;
  std::string target;
  auto first = gateway_server.accept(5000ms, &authorization, &target);
  ASSERT_TRUE(first) << "the daemon did not dial";
  EXPECT_EQ(authorization, std::string("Bearer ") + DaemonProcess::kGatewayToken);
  EXPECT_EQ(target, "/ws");

  ASSERT_TRUE(first->send(message_frame("k-1", "shop7:client1", "发什么快递")));
  const auto k1 = first->read_answer_text("k-1");
  ASSERT_TRUE(k1);
  EXPECT_EQ(json::parse(*k1)["type"], "reply");
  ASSERT_TRUE(first->send(message_frame("k-2", "shop7:client2", "转人工")));
  const auto k2 = first->read_answer("k-2");
  ASSERT_TRUE(k2);
  EXPECT_EQ((*k2)["type"], "handoff");

  // The gateway goes away right after a message, without reading its answer.
  ASSERT_TRUE(first->send(message_frame("k-3", "shop7:client3", "包邮吗")));
  first->drop();

  auto second = gateway_server.accept(5000ms, &authorization);
  ASSERT_TRUE(second) << "the daemon did not dial again";
  EXPECT_EQ(authorization, std::string("Bearer ") + DaemonProcess::kGatewayToken);

  // Resend every id without a known answer, and one that had an answer.
  ASSERT_TRUE(second->send(message_frame("k-3", "shop7:client3", "包邮吗")));
  ASSERT_TRUE(second->send(message_frame("k-1", "shop7:client1", "发什么快递")));
  std::map<std::string, std::vector<std::string>> answers;
  while (answers["k-1"].empty() || answers["k-3"].empty()) {
    const auto frame = second->read_text(5000ms);
    ASSERT_TRUE(frame) << "missing answers after the re-dial";
    const json parsed = json::parse(*frame);
    if (parsed.contains("in_reply_to")) answers[parsed["in_reply_to"]].push_back(*frame);
  }
  // Nothing more comes for them: exactly one answer per id.
  while (const auto frame = second->read_text(500ms)) {
    const json parsed = json::parse(*frame);
    if (parsed.contains("in_reply_to")) answers[parsed["in_reply_to"]].push_back(*frame);
  }
  ASSERT_EQ(answers["k-1"].size(), 1u);
  ASSERT_EQ(answers["k-3"].size(), 1u);
  EXPECT_EQ(answers["k-2"].size(), 0u);
  EXPECT_EQ(answers["k-1"][0], *k1);
  EXPECT_EQ(json::parse(answers["k-3"][0])["type"], "reply") << answers["k-3"][0];

  // Each message was processed once.
  const std::string m = metrics();
  EXPECT_EQ(metric_family_sum(m, "xiaoer_messages_total"), 3.0) << m;
  const auto resends = metric_sample(m, "xiaoer_resends_total");
  ASSERT_TRUE(resends);
  EXPECT_GE(*resends, 1.0);
  EXPECT_LE(*resends, 2.0);

  // A push reaches the new connection.
  const HttpResult claim = http_request(port(), http::verb::post, "/v1/tickets/" + (*k2)["ticket"].get<std::string>() + "/claim",
                                        DaemonProcess::kAgentToken, R"({"agent":"li"})");
  ASSERT_EQ(claim.status, 200) << claim.body;
  const HttpResult send =
      http_request(port(), http::verb::post, "/v1/tickets/" + (*k2)["ticket"].get<std::string>() + "/send",
                   DaemonProcess::kAgentToken, R"({"agent":"li","text":"亲，我来啦"})");
  ASSERT_EQ(send.status, 200) << send.body;
  const auto pushed = second->read_type("agent_reply");
  ASSERT_TRUE(pushed);
  EXPECT_EQ((*pushed)["chat"], "shop7:client2");

  // A push made while no gateway is connected waits for the next one.
  second->drop();
  ASSERT_TRUE(wait_until([&] { return metric_sample(metrics(), "xiaoer_connections{role=\"gateway\"}") == 0.0; }, 3000ms))
      << metrics();
  const HttpResult later =
      http_request(port(), http::verb::post, "/v1/tickets/" + (*k2)["ticket"].get<std::string>() + "/send",
                   DaemonProcess::kAgentToken, R"({"agent":"li","text":"亲，您还在吗"})");
  ASSERT_EQ(later.status, 200) << later.body;
  EXPECT_EQ(metric_sample(metrics(), "xiaoer_outbox_frames"), 1.0);
  auto third = gateway_server.accept(5000ms);
  ASSERT_TRUE(third) << "the daemon did not dial a third time";
  const auto delivered = third->read_type("agent_reply");
  ASSERT_TRUE(delivered) << "the push made while disconnected was lost";
  EXPECT_EQ((*delivered)["text"], "亲，您还在吗");
  EXPECT_EQ((*delivered)["chat"], "shop7:client2");
}

// ---- 11. kill -9 ---------------------------------------------------------------

TEST_F(DaemonTest, KillNineLosesNoTicketAndNoAnswer) {
  ASSERT_TRUE(start());
  auto gw = gateway();
  ASSERT_TRUE(gw);

  const auto waiting = ask(*gw, "d-1", "shop7:wait", "转人工");
  ASSERT_TRUE(waiting);
  ASSERT_EQ((*waiting)["type"], "handoff");
  const std::string waiting_id = (*waiting)["ticket"];
  const std::string hold_frame = message_frame("d-2", "shop7:wait", "还在吗");
  ASSERT_TRUE(gw->send(hold_frame));
  const auto hold = gw->read_answer_text("d-2");
  ASSERT_TRUE(hold);

  const auto claimed = ask(*gw, "d-3", "shop7:claimed", "太差了 我要投诉");
  ASSERT_TRUE(claimed);
  ASSERT_EQ((*claimed)["type"], "handoff");
  const std::string claimed_id = (*claimed)["ticket"];
  const std::string base = "/v1/tickets/" + claimed_id;
  ASSERT_EQ(http_request(port(), http::verb::post, base + "/claim", DaemonProcess::kAgentToken, R"({"agent":"li"})").status,
            200);
  ASSERT_EQ(http_request(port(), http::verb::post, base + "/send", DaemonProcess::kAgentToken,
                         R"({"agent":"li","text":"亲，我是小李，马上帮您处理"})")
                .status,
            200);

  // A third ticket, opened and resolved before the crash.
  const auto done = ask(*gw, "d-8", "shop7:done", "转人工");
  ASSERT_TRUE(done);
  ASSERT_EQ((*done)["type"], "handoff");
  const std::string done_id = (*done)["ticket"];
  ASSERT_EQ(http_request(port(), http::verb::post, "/v1/tickets/" + done_id + "/resolve", DaemonProcess::kAgentToken,
                         R"({"agent":"li"})")
                .status,
            200);

  const std::string reply_frame = message_frame("d-4", "shop7:bot", "发什么快递");
  ASSERT_TRUE(gw->send(reply_frame));
  const auto reply = gw->read_answer_text("d-4");
  ASSERT_TRUE(reply);
  const auto size = ask(*gw, "d-5", "shop7:bot", "包邮吗");
  ASSERT_TRUE(size);

  gw->drop();
  daemon_->kill9();
  ASSERT_FALSE(daemon_->running());
  ASSERT_TRUE(start());

  const HttpResult list = tickets();
  ASSERT_EQ(list.status, 200) << list.body;
  const json q = list.body_json();
  ASSERT_EQ(q["tickets"].size(), 2u) << list.body;
  std::map<std::string, json> by_id;
  for (const auto& t : q["tickets"]) by_id[t["id"]] = t;
  ASSERT_TRUE(by_id.count(waiting_id)) << list.body;
  ASSERT_TRUE(by_id.count(claimed_id)) << list.body;
  EXPECT_EQ(by_id[waiting_id]["state"], "waiting");
  EXPECT_EQ(by_id[waiting_id]["chat"], "shop7:wait");
  EXPECT_EQ(by_id[claimed_id]["state"], "claimed");
  EXPECT_EQ(by_id[claimed_id]["agent"], "li");
  EXPECT_EQ(by_id[claimed_id]["reason"], "complaint");
  const auto transcript_has = [](const json& ticket, const std::string& from, const std::string& text) {
    for (const auto& line : ticket["transcript"]) {
      if (line["from"] == from && line["text"] == text) return true;
    }
    return false;
  };
  EXPECT_TRUE(transcript_has(by_id[waiting_id], "buyer", "转人工")) << by_id[waiting_id].dump();
  EXPECT_TRUE(transcript_has(by_id[waiting_id], "buyer", "还在吗")) << by_id[waiting_id].dump();
  EXPECT_TRUE(transcript_has(by_id[claimed_id], "buyer", "太差了 我要投诉")) << by_id[claimed_id].dump();
  EXPECT_TRUE(transcript_has(by_id[claimed_id], "agent", "亲，我是小李，马上帮您处理")) << by_id[claimed_id].dump();

  // Answered ids get the very same frames again, and the chats kept their state.
  auto again = gateway();
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->send(reply_frame));
  const auto reply_again = again->read_answer_text("d-4");
  ASSERT_TRUE(reply_again);
  EXPECT_EQ(*reply_again, *reply);
  ASSERT_TRUE(again->send(hold_frame));
  const auto hold_again = again->read_answer_text("d-2");
  ASSERT_TRUE(hold_again);
  EXPECT_EQ(*hold_again, *hold);
  const auto still_held = ask(*again, "d-6", "shop7:wait", "人呢");
  ASSERT_TRUE(still_held);
  EXPECT_EQ((*still_held)["type"], "hold");
  EXPECT_EQ((*still_held)["ticket"], waiting_id);
  // Ticket numbers go on from where they were.
  const auto fresh = ask(*again, "d-7", "shop7:new", "转人工");
  ASSERT_TRUE(fresh);
  EXPECT_EQ((*fresh)["type"], "handoff");
  const auto number = [](const json& id) { return std::stoi(id.get<std::string>().substr(2)); };
  EXPECT_GT(number((*fresh)["ticket"]), number(json(done_id))) << "ticket ids are reused after a restart";
  EXPECT_GT(number((*fresh)["ticket"]), number(json(claimed_id)));
  // The resolved chat is with the bot.
  const auto bot = ask(*again, "d-9", "shop7:done", "发什么快递");
  ASSERT_TRUE(bot);
  EXPECT_EQ((*bot)["type"], "reply") << bot->dump();
}

// ---- slow and silent peers (SPEC 8) --------------------------------------------

TEST_F(DaemonTest, SilentConnectionsAreTimedOut) {
  DaemonConfig config;
  config.handshake_timeout_s = 1;
  config.idle_timeout_s = 1;
  ASSERT_TRUE(start_with(config));

  // A TCP connection that never sends its upgrade request.
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket(ioc);
    socket.connect({boost::asio::ip::address_v4::loopback(), port()});
    const auto t0 = Clock::now();
    pollfd p{socket.native_handle(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 4000), 1) << "still open 4 s after connecting";
    char byte = 0;
    EXPECT_LE(::recv(socket.native_handle(), &byte, 1, 0), 0) << "expected the daemon to close it";
    EXPECT_LT(Clock::now() - t0, 3500ms);
  }

  // A websocket peer that answers nothing, not even pings.
  auto silent = gateway();
  ASSERT_TRUE(silent);
  // A peer that reads (and so answers the daemon's pings) stays.
  auto listening = gateway();
  ASSERT_TRUE(listening);
  EXPECT_FALSE(listening->read_text(2500ms).has_value());
  EXPECT_TRUE(listening->is_open()) << listening->end_reason();
  EXPECT_TRUE(silent->wait_closed(2000ms).has_value()) << "a silent websocket was not timed out";
  const auto answer = ask(*listening, "i-1", "shop7:idle", "发什么快递");
  ASSERT_TRUE(answer);
  EXPECT_EQ((*answer)["type"], "reply");
}

// ---- 12. SIGHUP ---------------------------------------------------------------

TEST_F(DaemonTest, SighupKeepsTheOldSetOnErrorsAndSwapsInAGoodOne) {
  DaemonProcess& daemon = make();
  const fs::path intents = daemon.dir() / "intents";
  fs::copy(fs::path(XIAOER_SOURCE_DIR) / "intents", intents, fs::copy_options::recursive);
  DaemonConfig config;
  config.intents_dir = intents.string();
  daemon.write_config(config);
  ASSERT_TRUE(start());
  auto gw = gateway();
  ASSERT_TRUE(gw);

  const auto before = ask(*gw, "h-1", "shop7:hup1", "发什么快递");
  ASSERT_TRUE(before);
  ASSERT_EQ((*before)["type"], "reply");
  const std::string marker = "新版回复";
  EXPECT_EQ((*before)["text"].get<std::string>().find(marker), std::string::npos);

  // (a) A broken file: the old set keeps answering.
  const fs::path shipping = intents / "shipping.yaml";
  const std::string original = read_file(shipping);
  const std::string broken = with_extra_pattern(original, "shipping.courier", "      - {re: '(unclosed', weight: 4}");
  ASSERT_FALSE(broken.empty()) << "shipping.courier has no patterns: block in " << shipping;
  write_text_file(shipping, broken);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return metric_sample(metrics(), "xiaoer_reloads_total{result=\"failed\"}") == 1.0; }, 5000ms))
      << metrics();
  EXPECT_TRUE(daemon.wait_for_log("shipping.yaml:", 2000ms)) << "the log does not say which file is bad";
  const auto during = ask(*gw, "h-2", "shop7:hup2", "发什么快递");
  ASSERT_TRUE(during);
  EXPECT_EQ((*during)["type"], "reply");
  EXPECT_TRUE(has_intent_with_prefix(*during, "shipping.courier")) << during->dump();
  EXPECT_EQ(metric_sample(metrics(), "xiaoer_reloads_total{result=\"ok\"}"), 0.0);

  // (b) Fixed, with a new reply: the same connection gets it.
  const std::string fixed = with_replies(original, "shipping.courier", "亲，" + marker + "：我们默认发{courier}哦{smile}～");
  ASSERT_FALSE(fixed.empty());
  write_text_file(shipping, fixed);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return metric_sample(metrics(), "xiaoer_reloads_total{result=\"ok\"}") == 1.0; }, 5000ms))
      << metrics();
  const auto after = ask(*gw, "h-3", "shop7:hup3", "发什么快递");
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)["type"], "reply");
  EXPECT_NE((*after)["text"].get<std::string>().find(marker), std::string::npos) << after->dump();
  EXPECT_TRUE(gw->is_open());
  EXPECT_EQ(metric_sample(metrics(), "xiaoer_reloads_total{result=\"failed\"}"), 1.0);
}

// A reload is all or nothing: a changed restart-only option refuses it,
// named in the log; a change of reloadable options only goes through.
TEST_F(DaemonTest, SighupRefusesAChangeOnlyARestartApplies) {
  DaemonConfig config;
  DaemonProcess& daemon = make(config);
  ASSERT_TRUE(start());
  config.journal_sync = "batch";
  config.compact_after_mb = 8;
  daemon.write_config(config);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return metric_sample(metrics(), "xiaoer_reloads_total{result=\"failed\"}") == 1.0; }, 5000ms))
      << metrics();
  EXPECT_TRUE(daemon.wait_for_log("reload: journal.sync is read at start only (running always, the file says batch)",
                                  2000ms))
      << daemon.log();

  config.journal_sync = "always";
  config.connections = 5000;
  daemon.write_config(config);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return metric_sample(metrics(), "xiaoer_reloads_total{result=\"ok\"}") == 1.0; }, 5000ms))
      << metrics() << daemon.log();
  auto gw = gateway();
  ASSERT_TRUE(gw);
  const auto answer = ask(*gw, "r-1", "shop7:restart", "发什么快递");
  ASSERT_TRUE(answer);
  EXPECT_EQ((*answer)["type"], "reply");
}

// ---- 13. SIGTERM ----------------------------------------------------------------

TEST_F(DaemonTest, SigtermDrainsAndExitsZero) {
  ASSERT_TRUE(start());
  EXPECT_EQ(http_request(port(), http::verb::get, "/readyz").status, 200);
  EXPECT_EQ(http_request(port(), http::verb::get, "/healthz").status, 200);
  auto gw = gateway();
  auto li = agent("li");
  ASSERT_TRUE(gw && li);
  const auto answer = ask(*gw, "q-1", "shop7:term", "发什么快递");
  ASSERT_TRUE(answer);

  const auto sent = Clock::now();
  daemon_->signal(SIGTERM);
  // Readiness drops at once: /readyz says 503, or the listener is already gone.
  int ready = 200;
  EXPECT_TRUE(wait_until(
      [&] {
        ready = http_request(port(), http::verb::get, "/readyz", "", "", 1000ms).status;
        return ready != 200;
      },
      2000ms, 5ms));
  EXPECT_TRUE(ready == 503 || ready == 0) << ready;
  // The gateway connection is closed cleanly, with "going away".
  EXPECT_EQ(gw->wait_closed(5000ms), 1001);
  EXPECT_EQ(li->wait_closed(5000ms), 1001);
  const auto status = daemon_->wait_exit(7000ms);
  ASSERT_TRUE(status) << "still running 7 s after SIGTERM";
  EXPECT_TRUE(exited_zero(*status)) << "wait status " << *status;
  EXPECT_LT(Clock::now() - sent, 6s);
  // The port is free: nothing answers there any more.
  EXPECT_EQ(http_request(port(), http::verb::get, "/healthz", "", "", 1000ms).status, 0);
}

// ---- 14. sd_notify --------------------------------------------------------------

TEST_F(DaemonTest, NotifiesSystemdOfReadyReloadingAndStopping) {
  DaemonProcess& daemon = make();
  NotifySocket notify(daemon.dir() / "notify.sock");
  ASSERT_TRUE(start({notify.env()}));
  std::vector<std::string> others;
  const auto ready = notify.wait_for("READY=1", 5000ms, &others);
  ASSERT_TRUE(ready);
  for (const auto& o : others) EXPECT_EQ(o.find("WATCHDOG=1"), std::string::npos) << "no watchdog was asked for";

  daemon.signal(SIGHUP);
  const auto reloading = notify.wait_for("RELOADING=1", 3000ms);
  ASSERT_TRUE(reloading);
  EXPECT_NE(reloading->find("MONOTONIC_USEC="), std::string::npos) << *reloading;
  ASSERT_TRUE(notify.wait_for("READY=1", 3000ms));

  daemon.signal(SIGTERM);
  ASSERT_TRUE(notify.wait_for("STOPPING=1", 3000ms));
  const auto status = daemon.wait_exit(7000ms);
  ASSERT_TRUE(status);
  EXPECT_TRUE(exited_zero(*status)) << *status;
}

TEST_F(DaemonTest, SendsWatchdogPingsWhenAsked) {
  DaemonProcess& daemon = make();
  NotifySocket notify(daemon.dir() / "notify.sock");
  ASSERT_TRUE(start({notify.env(), "WATCHDOG_USEC=200000"}));
  ASSERT_TRUE(notify.wait_for("READY=1", 5000ms));
  const auto t0 = Clock::now();
  ASSERT_TRUE(notify.wait_for("WATCHDOG=1", 1000ms)) << "no WATCHDOG=1 within 1 s";
  ASSERT_TRUE(notify.wait_for("WATCHDOG=1", 1000ms));
  EXPECT_LT(Clock::now() - t0, 1s);
}

TEST_F(DaemonTest, NoWatchdogPingsForAnotherPid) {
  DaemonProcess& daemon = make();
  NotifySocket notify(daemon.dir() / "notify.sock");
  ASSERT_TRUE(start({notify.env(), "WATCHDOG_USEC=200000", "WATCHDOG_PID=1"}));
  ASSERT_TRUE(notify.wait_for("READY=1", 5000ms));
  EXPECT_FALSE(notify.wait_for("WATCHDOG=1", 600ms).has_value());
}

}  // namespace
}  // namespace xiaoer::it
