// Dispatcher (issue 10, defect 8: it had no unit test): tokens, frames to
// the chat service and back, gateway routing of pushes with and without
// acknowledgements, agent events, and the plain HTTP endpoints.
#include "daemon/app/dispatcher.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>

#include "daemon/store/journal/journal_store.hpp"
#include "tests/app/fakes.hpp"
#include "tests/test_dir.hpp"
#include "tests/test_intents.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::app {
namespace {

namespace fs = std::filesystem;
using fakes::FakeConnection;
using json = nlohmann::json;

class NoonClock final : public chat::Clock {
 public:
  std::int64_t now_ms() const override { return 1'000'000; }
  int minute_of_day() const override { return 12 * 60; }
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    built_ = xiaoer::testing::build_engine(xiaoer::testing::test_intent_files());
    ASSERT_NE(built_.engine, nullptr);
    engines_ = std::make_unique<engine::EngineStore>(built_.engine);
    dir_ = xiaoer::testing::fresh_test_dir("xiaoer-dispatcher-");
    store_ = std::make_unique<store::JournalStore>(metrics_, clock_, store::JournalStoreOptions{});
    chat::ChatOptions options;
    options.messages_per_second = 1000;
    options.burst = 1000;
    service_ = std::make_unique<service::ChatService>(*engines_, *store_, dispatcher_, metrics_, clock_, options);
    dispatcher_.attach(*service_);
    dispatcher_.attach(*store_);
    dispatcher_.set_tokens({"gw-token", "agent-token"});
    store::ReplayReport report;
    std::string error;
    journal_ = store::Journal::open({(dir_ / "journal.log").string()}, [](std::string_view) {}, &report, &error);
    ASSERT_NE(journal_, nullptr) << error;
    store_->attach(*journal_);
    dispatcher_.restore_pushes();
  }
  void TearDown() override {
    journal_.reset();
    fs::remove_all(dir_);
  }

  std::shared_ptr<FakeConnection> open(std::uint64_t id, net::Role role, std::string name = "") {
    auto c = std::make_shared<FakeConnection>(id, role, std::move(name));
    dispatcher_.on_open(c);
    return c;
  }
  // Sends a frame and waits for the journal: its answer is then sent.
  void say(const std::shared_ptr<FakeConnection>& c, const std::string& frame) {
    dispatcher_.on_text(c, frame, std::chrono::steady_clock::now());
    journal_->flush();
  }
  static json last(const FakeConnection& c) { return json::parse(c.untracked.back()); }
  // An HTTP request with `token` as its bearer ("" = none), answered at once
  // on these paths.
  net::HttpResponse http(const std::string& target, const std::string& token = "") {
    net::HttpRequest request;
    request.method = "GET";
    request.target = target;
    if (!token.empty()) request.authorization = "Bearer " + token;
    std::optional<net::HttpResponse> answer;
    dispatcher_.on_http(request, [&](net::HttpResponse done) { answer = std::move(done); });
    EXPECT_TRUE(answer.has_value()) << target;
    return answer.value_or(net::HttpResponse{0, "", "", {}});
  }
  net::Admission upgrade(const std::string& token, net::Role wanted) {
    net::HttpRequest request;
    request.method = "GET";
    request.target = wanted == net::Role::kGateway ? "/v1/gateway" : "/v1/agent?agent=li";
    request.authorization = "Bearer " + token;
    return dispatcher_.admit(request, wanted);
  }

  testing::BuiltEngine built_;
  std::unique_ptr<engine::EngineStore> engines_;
  NoonClock clock_;
  common::Metrics metrics_;
  fs::path dir_;
  Dispatcher dispatcher_{nullptr, metrics_, clock_};
  std::unique_ptr<store::JournalStore> store_;
  std::unique_ptr<service::ChatService> service_;
  std::unique_ptr<store::Journal> journal_;
};

TEST_F(DispatcherTest, TokensGrantTheirRoleOnly) {
  EXPECT_EQ(upgrade("gw-token", net::Role::kGateway).status, 0u);
  EXPECT_EQ(upgrade("agent-token", net::Role::kAgent).status, 0u);
  EXPECT_EQ(upgrade("agent-token", net::Role::kGateway).status, 403u);
  EXPECT_EQ(upgrade("gw-toke", net::Role::kGateway).status, 401u);
  EXPECT_EQ(upgrade("", net::Role::kAgent).status, 401u);
  EXPECT_EQ(metrics_.connections_refused.value(), 2u);
}

TEST_F(DispatcherTest, AnswersGoBackOnTheirConnectionAndBadFramesGetErrors) {
  auto gw = open(1, net::Role::kGateway);
  say(gw, R"({"type":"message","id":"m1","chat":"c1","text":"发什么快递"})");
  ASSERT_EQ(gw->untracked.size(), 1u);
  EXPECT_EQ(last(*gw)["type"], "reply");
  EXPECT_EQ(last(*gw)["in_reply_to"], "m1");
  say(gw, "{not json");
  EXPECT_EQ(last(*gw)["code"], "bad_json");
  EXPECT_EQ(metrics_.connections_gateway.load(), 1);
  dispatcher_.on_close(*gw);
  EXPECT_EQ(metrics_.connections_gateway.load(), 0);
}

// An agent's reply goes to the gateway connection that carried the handoff
// (not another one), with a push_id; agents get the ticket events.
TEST_F(DispatcherTest, PushesFollowTheChatsRouteAndAgentsGetEvents) {
  auto other = open(1, net::Role::kGateway);
  auto gw = open(2, net::Role::kGateway);
  auto li = open(3, net::Role::kAgent, "li");
  say(gw, R"({"type":"hello","acks":true})");
  say(gw, R"({"type":"message","id":"h1","chat":"c1","text":"转人工"})");
  ASSERT_EQ(last(*gw)["type"], "handoff");
  const std::string ticket = last(*gw)["ticket"];
  EXPECT_EQ(json::parse(li->untracked.back())["event"], "opened");
  say(li, R"({"type":"claim","ticket":")" + ticket + R"("})");
  say(li, R"({"type":"send","ticket":")" + ticket + R"(","text":"亲，我来了"})");
  EXPECT_EQ(json::parse(li->untracked.back())["type"], "ok");
  ASSERT_EQ(gw->queued.size(), 1u);
  EXPECT_TRUE(other->queued.empty());
  const json push = json::parse(gw->write_one());
  EXPECT_EQ(push["type"], "agent_reply");
  EXPECT_EQ(push["text"], "亲，我来了");
  const std::string id = push["push_id"];
  EXPECT_EQ(store_->unacked_pushes().size(), 1u);
  say(gw, R"({"type":"ack","push_ids":[")" + id + R"("]})");
  EXPECT_TRUE(store_->unacked_pushes().empty());
  // A hello after the first frame is refused.
  say(gw, R"({"type":"hello","acks":true})");
  EXPECT_EQ(last(*gw)["code"], "bad_request");
}

// Pushes made with no gateway connected wait; the next one gets them.
TEST_F(DispatcherTest, PushesWaitForTheNextGateway) {
  auto gw = open(1, net::Role::kGateway);
  auto li = open(2, net::Role::kAgent, "li");
  say(gw, R"({"type":"message","id":"h1","chat":"c1","text":"转人工"})");
  const std::string ticket = last(*gw)["ticket"];
  dispatcher_.on_close(*gw);
  say(li, R"({"type":"claim","ticket":")" + ticket + R"("})");
  say(li, R"({"type":"send","ticket":")" + ticket + R"(","text":"在吗"})");
  EXPECT_EQ(dispatcher_.outbox_size(), 1u);
  auto next = open(3, net::Role::kGateway);
  ASSERT_EQ(next->queued.size(), 1u);
  EXPECT_EQ(json::parse(next->write_one())["text"], "在吗");
  EXPECT_EQ(dispatcher_.outbox_size(), 0u);
}

TEST_F(DispatcherTest, ServesHealthReadinessMetricsAndGuardsTheAgentApi) {
  EXPECT_EQ(http("/healthz").status, 200u);
  EXPECT_EQ(http("/readyz").status, 503u);
  dispatcher_.set_ready(true);
  EXPECT_EQ(http("/readyz?x=1").status, 200u);
  const net::HttpResponse metrics = http("/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_NE(metrics.body.find("xiaoer_pushes_expired_total 0"), std::string::npos) << metrics.body;
  EXPECT_EQ(http("/nowhere").status, 404u);
  EXPECT_EQ(http("/v1/tickets").status, 401u);
  EXPECT_EQ(http("/v1/tickets", "gw-token").status, 401u);
  const net::HttpResponse list = http("/v1/tickets", "agent-token");
  EXPECT_EQ(list.status, 200u);
  EXPECT_EQ(json::parse(list.body)["type"], "queue");
}

// Issue 10, defect 6: with the journal's backlog at its limit connections
// are held back from reading and /readyz says so; drained, they resume.
TEST_F(DispatcherTest, AFullJournalBacklogHoldsReadingBackAndReadyzSaysSo) {
  dispatcher_.set_ready(true);
  std::atomic<std::size_t> backlog{10};
  dispatcher_.set_backlog_limit(10, [&] { return backlog.load(); },
                                {"journal backlog", "records", "journal.max_backlog"});
  int resumed = 0;
  EXPECT_FALSE(dispatcher_.may_read([&] { ++resumed; }));
  const net::HttpResponse busy = http("/readyz");
  EXPECT_EQ(busy.status, 503u);
  EXPECT_EQ(busy.body, "journal backlog full: not reading\n");
  backlog = 0;
  dispatcher_.store_backlog(0);
  EXPECT_EQ(resumed, 1);
  EXPECT_EQ(http("/readyz").status, 200u);
  EXPECT_TRUE(dispatcher_.may_read([] {}));
}

}  // namespace
}  // namespace xiaoer::app
