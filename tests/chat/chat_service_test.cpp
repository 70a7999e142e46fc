#include "daemon/chat/chat_service.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <sys/resource.h>
#include <future>
#include <map>
#include <thread>
#include <vector>
#include <unistd.h>

#include "tests/test_intents.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::chat {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class FakeClock final : public Clock {
 public:
  std::int64_t now_ms() const override { return now; }
  int minute_of_day() const override { return minute; }
  std::int64_t now = 1'000'000;
  int minute = 12 * 60;  // noon: within business hours
};

class RecordingOutbound final : public Outbound {
 public:
  void to_gateway(const std::string& chat, std::string frame) override {
    std::lock_guard lock(mutex);
    gateway.emplace_back(chat, std::move(frame));
  }
  void to_agents(std::string frame) override {
    std::lock_guard lock(mutex);
    agents.push_back(std::move(frame));
  }
  void ticket_closed(const std::string& chat) override {
    std::lock_guard lock(mutex);
    closed.push_back(chat);
  }
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> gateway;
  std::vector<std::string> agents;
  std::vector<std::string> closed;  // chats whose ticket was resolved
};

class ChatServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    built_ = testing::build_engine(testing::test_intent_files());
    ASSERT_NE(built_.engine, nullptr) << testing::describe(built_.diagnostics);
    engines_ = std::make_unique<engine::EngineStore>(built_.engine);
    dir_ = fs::temp_directory_path() /
           ("xiaoer-chat-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    start();
  }
  // The journal goes first: its destructor runs the last callbacks, which
  // use the service.
  void TearDown() override {
    journal_.reset();
    service_.reset();
    fs::remove_all(dir_);
  }

  // (Re)starts the service over the journal in dir_, as the daemon does.
  void start(ChatOptions options = {}) {
    journal_.reset();
    service_.reset();
    service_ = std::make_unique<ChatService>(*engines_, outbound_, metrics_, clock_, options);
    queue::ReplayReport report;
    std::string error;
    journal_ = queue::Journal::open({(dir_ / "journal.log").string()},
                                    [this](std::string_view record) {
                                      std::string why;
                                      EXPECT_TRUE(service_->replay(record, &why)) << why;
                                    },
                                    &report, &error);
    ASSERT_NE(journal_, nullptr) << error;
    service_->attach_journal(*journal_);
  }

  json send(const std::string& chat, const std::string& id, const std::string& text) {
    return json::parse(send_raw(chat, id, text));
  }

  std::string send_raw(const std::string& chat, const std::string& id, const std::string& text) {
    proto::InboundMessage m;
    m.id = id;
    m.chat = chat;
    m.text = text;
    std::promise<std::string> answer;
    service_->handle_message(m, [&answer](std::string frame) { answer.set_value(std::move(frame)); });
    return answer.get_future().get();
  }

  json agent(proto::AgentOp op, const std::string& ticket, const std::string& who, const std::string& text = "") {
    proto::AgentCommand command;
    command.op = op;
    command.ticket = ticket;
    command.text = text;
    std::promise<std::string> answer;
    service_->handle_agent(command, who, [&answer](std::string frame) { answer.set_value(std::move(frame)); });
    return json::parse(answer.get_future().get());
  }

  testing::BuiltEngine built_;
  std::unique_ptr<engine::EngineStore> engines_;
  FakeClock clock_;
  RecordingOutbound outbound_;
  common::Metrics metrics_;
  fs::path dir_;
  std::unique_ptr<queue::Journal> journal_;
  std::unique_ptr<ChatService> service_;
};

TEST_F(ChatServiceTest, RepliesAndAnswersAResendWithTheSameFrame) {
  const std::string first = send_raw("c1", "m1", "发什么快递");
  const json reply = json::parse(first);
  EXPECT_EQ(reply["type"], "reply");
  EXPECT_EQ(reply["in_reply_to"], "m1");
  EXPECT_EQ(reply["intents"][0], "shipping.courier");
  EXPECT_EQ(send_raw("c1", "m1", "发什么快递"), first);
  EXPECT_EQ(metrics_.resends.value(), 1u);
  EXPECT_EQ(metrics_.messages_by_topic.values().at("shipping"), 1u);
}

TEST_F(ChatServiceTest, HandoffOpensATicketAndLaterMessagesHold) {
  send("c1", "m1", "发什么快递");
  const json handoff = send("c1", "m2", "转人工");
  EXPECT_EQ(handoff["type"], "handoff");
  EXPECT_EQ(handoff["reason"], "asked_for_human");
  EXPECT_EQ(handoff["position"], 1);
  EXPECT_NE(handoff["text"].get<std::string>().find("您排在第1位"), std::string::npos);
  const json hold = send("c1", "m3", "在吗");
  EXPECT_EQ(hold["type"], "hold");
  EXPECT_EQ(hold["ticket"], handoff["ticket"]);
  const auto tickets = service_->tickets();
  ASSERT_EQ(tickets.size(), 1u);
  ASSERT_EQ(tickets[0].transcript.size(), 5u);  // buyer, bot, buyer, bot, buyer
  EXPECT_EQ(tickets[0].transcript[0].text, "发什么快递");
  EXPECT_EQ(tickets[0].transcript.back().text, "在吗");
  ASSERT_EQ(outbound_.agents.size(), 1u);
  EXPECT_EQ(json::parse(outbound_.agents[0])["event"], "opened");
}

TEST_F(ChatServiceTest, ComplaintsGoAheadInLine) {
  send("c1", "m1", "转人工");
  const json complaint = send("c2", "m1", "我要投诉");
  EXPECT_EQ(complaint["type"], "handoff");
  EXPECT_EQ(complaint["reason"], "complaint");
  EXPECT_EQ(complaint["position"], 1);
  EXPECT_EQ(service_->tickets()[1].chat, "c1");
}

TEST_F(ChatServiceTest, AgentClaimSendResolveReturnsTheChatToTheBot) {
  const std::string ticket = send("c1", "m1", "转人工")["ticket"];
  EXPECT_EQ(agent(proto::AgentOp::kSend, ticket, "li", "您好")["type"], "error");  // not claimed
  EXPECT_EQ(agent(proto::AgentOp::kClaim, ticket, "li")["type"], "ok");
  EXPECT_EQ(agent(proto::AgentOp::kClaim, ticket, "wang")["type"], "error");
  EXPECT_EQ(agent(proto::AgentOp::kSend, ticket, "li", "您好，我是小李")["type"], "ok");
  ASSERT_EQ(outbound_.gateway.size(), 1u);
  const json pushed = json::parse(outbound_.gateway[0].second);
  EXPECT_EQ(pushed["type"], "agent_reply");
  EXPECT_EQ(pushed["chat"], "c1");
  EXPECT_EQ(pushed["agent"], "li");
  EXPECT_TRUE(outbound_.closed.empty());
  EXPECT_EQ(agent(proto::AgentOp::kResolve, ticket, "li")["type"], "ok");
  EXPECT_EQ(outbound_.closed, std::vector<std::string>{"c1"}) << "the gateway routing was not told";
  EXPECT_TRUE(service_->tickets().empty());
  EXPECT_EQ(send("c1", "m2", "发什么快递")["type"], "reply");
}

TEST_F(ChatServiceTest, CourtesyNoticeOnceAfterTheWait) {
  ChatOptions options;
  options.notice_after_ms = 1000;
  start(options);
  const std::string ticket = send("c1", "m1", "转人工")["ticket"];
  service_->tick();
  journal_->flush();
  EXPECT_TRUE(outbound_.gateway.empty());
  clock_.now += 1000;
  service_->tick();
  journal_->flush();
  ASSERT_EQ(outbound_.gateway.size(), 1u);
  EXPECT_EQ(json::parse(outbound_.gateway[0].second)["type"], "notice");
  clock_.now += 5000;
  service_->tick();
  journal_->flush();
  EXPECT_EQ(outbound_.gateway.size(), 1u);
}

TEST_F(ChatServiceTest, AfterHoursHandoffSaysWhenHumansAreBack) {
  clock_.minute = 3 * 60;  // 03:00, the test shop opens at 09:00
  const json handoff = send("c1", "m1", "转人工");
  EXPECT_NE(handoff["text"].get<std::string>().find("现在是下班时间"), std::string::npos);
}

TEST_F(ChatServiceTest, RateLimitPerChat) {
  ChatOptions options;
  options.messages_per_second = 1;
  options.burst = 2;
  start(options);
  EXPECT_EQ(send("c1", "m1", "发什么快递")["type"], "reply");
  EXPECT_EQ(send("c1", "m2", "发什么快递")["type"], "reply");
  const json limited = send("c1", "m3", "发什么快递");
  EXPECT_EQ(limited["type"], "error");
  EXPECT_EQ(limited["code"], "rate_limited");
  EXPECT_EQ(send("c2", "m1", "发什么快递")["type"], "reply");  // other chats unaffected
  clock_.now += 1000;
  EXPECT_EQ(send("c1", "m3", "发什么快递")["type"], "reply");
}

TEST_F(ChatServiceTest, ReplayRestoresTicketsAnswersAndContext) {
  const std::string asked = send_raw("c1", "m1", "穿什么码");
  const std::string ticket = send("c2", "m1", "转人工")["ticket"];
  agent(proto::AgentOp::kClaim, ticket, "li");
  agent(proto::AgentOp::kSend, ticket, "li", "在的亲");
  const std::string held = send_raw("c2", "m2", "还在吗");
  start();  // as after a kill -9: a new service over the same journal
  EXPECT_EQ(send_raw("c2", "m2", "还在吗"), held);
  EXPECT_EQ(send_raw("c1", "m1", "穿什么码"), asked);  // same frame for a resent id
  EXPECT_EQ(send("c1", "m2", "165 110")["intents"][0], "size.recommend");  // the context survived
  const auto tickets = service_->tickets();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0].id, ticket);
  EXPECT_EQ(tickets[0].state, "claimed");
  EXPECT_EQ(tickets[0].agent, "li");
  EXPECT_EQ(tickets[0].transcript.back().text, "还在吗");
  EXPECT_EQ(send("c3", "m1", "转人工")["ticket"], "T-2");  // numbering goes on
}

TEST_F(ChatServiceTest, CompactionKeepsTheLiveState) {
  ChatOptions options;
  options.compact_after_bytes = 1;  // compact at the next tick
  start(options);
  const std::string answered = send_raw("c1", "m1", "发什么快递");
  const std::string ticket = send("c2", "m1", "转人工")["ticket"];
  service_->tick();
  journal_->flush();
  EXPECT_EQ(journal_->stats().bytes_since_compaction, 0u);
  start();
  EXPECT_EQ(send_raw("c1", "m1", "发什么快递"), answered);
  ASSERT_EQ(service_->tickets().size(), 1u);
  EXPECT_EQ(service_->tickets()[0].id, ticket);
}

// The log is rewritten only once it has grown by the live state's size
// again, so many open tickets do not make it rewrite at every tick.
TEST_F(ChatServiceTest, CompactionWaitsForTheLogToGrowByTheSnapshotsSize) {
  ChatOptions options;
  options.compact_after_bytes = 1;
  start(options);
  for (int i = 0; i < 20; ++i) send(std::string("c").append(std::to_string(i)), "m1", "转人工");
  service_->tick();
  journal_->flush();
  const queue::JournalStats compacted = journal_->stats();
  ASSERT_EQ(compacted.bytes_since_compaction, 0u);
  ASSERT_GT(compacted.snapshot_bytes, 0u);

  send("d0", "m1", "发什么快递");  // one answer: far less than 20 tickets
  service_->tick();
  journal_->flush();
  const std::uint64_t grown = journal_->stats().bytes_since_compaction;
  EXPECT_GT(grown, 0u) << "rewritten after one record";
  EXPECT_LT(grown, compacted.snapshot_bytes);

  for (int i = 1; journal_->stats().bytes_since_compaction < compacted.snapshot_bytes; ++i) {
    send(std::string("d").append(std::to_string(i)), "m1", "发什么快递");
    journal_->flush();
  }
  service_->tick();
  journal_->flush();
  EXPECT_EQ(journal_->stats().bytes_since_compaction, 0u) << "not rewritten once the log had grown by the snapshot";
}

// Messages from several threads while the log is rewritten again and again
// (the snapshot is made on the journal's helper thread): after a restart
// every answer is resent the same and every ticket is there.
TEST_F(ChatServiceTest, CompactionsDuringTrafficLoseNothing) {
  ChatOptions options;
  options.compact_after_bytes = 1;
  start(options);
  constexpr int kThreads = 3;
  constexpr int kPerThread = 60;
  std::vector<std::map<std::string, std::string>> answers(kThreads);  // "chat/id" → frame
  std::atomic<bool> sending{true};
  std::thread ticker([&] {
    while (sending) {
      service_->tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string chat = std::string("t").append(std::to_string(t)).append("-").append(std::to_string(i % 20));
        const std::string id = std::string("m").append(std::to_string(i));
        const char* text = i % 3 == 0 ? "转人工" : (i % 3 == 1 ? "发什么快递" : "还没发货吗");
        answers[t][chat + "/" + id] = send_raw(chat, id, text);
      }
    });
  }
  for (std::thread& s : senders) s.join();
  sending = false;
  ticker.join();
  journal_->flush();
  const std::vector<proto::TicketView> tickets = service_->tickets();
  EXPECT_FALSE(tickets.empty());

  start(options);
  std::vector<std::string> reopened;
  for (const proto::TicketView& t : service_->tickets()) reopened.push_back(t.id);
  std::vector<std::string> before;
  for (const proto::TicketView& t : tickets) before.push_back(t.id);
  EXPECT_EQ(reopened, before);
  for (const auto& per_thread : answers) {
    for (const auto& [key, frame] : per_thread) {
      const std::size_t slash = key.find('/');
      const std::string chat = key.substr(0, slash);
      const std::string id = key.substr(slash + 1);
      // Three ids a chat: all within its answered window.
      EXPECT_EQ(send_raw(chat, id, "ignored: a resend"), frame) << key;
    }
  }
}

// A full disk, made with a file-size limit on this process: the journal's
// writes fail as they would with ENOSPC.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::uintmax_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved_;
    limited.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = nullptr;
};

// A rewrite that fails (the disk is full) is not tried again at every tick,
// each of which would copy the live state under the locks: 30 s later.
TEST_F(ChatServiceTest, FailedCompactionIsRetriedAfterABackoff) {
  ChatOptions options;
  options.compact_after_bytes = 1;
  start(options);
  for (int i = 0; i < 20; ++i) send(std::string("c").append(std::to_string(i)), "m1", "转人工");
  journal_->flush();
  const auto tick = [this] {
    service_->tick();
    journal_->flush();
  };
  {
    FileSizeLimit full(100);  // far less than a snapshot of 20 tickets
    tick();
    EXPECT_EQ(metrics_.compactions_failed.value(), 1u);
    tick();
    clock_.now += 29'000;
    tick();
    EXPECT_EQ(metrics_.compactions_failed.value(), 1u) << "retried before the backoff";
    clock_.now += 2'000;
    tick();
    EXPECT_EQ(metrics_.compactions_failed.value(), 2u);
  }
  clock_.now += 31'000;
  tick();
  EXPECT_EQ(metrics_.compactions_ok.value(), 1u) << "not rewritten once space returned";
  EXPECT_EQ(journal_->stats().bytes_since_compaction, 0u);
}

TEST_F(ChatServiceTest, DiskFullRefusesHandoffsButTheBotKeepsAnswering) {
  send("c0", "m1", "发什么快递");
  journal_->flush();
  {
    const FileSizeLimit full(fs::file_size(dir_ / "journal.log"));
    const json refused = send("c1", "m1", "转人工");
    EXPECT_EQ(refused["type"], "error");
    EXPECT_EQ(refused["code"], "unavailable");
    EXPECT_NE(refused["message"].get<std::string>().find("disk full"), std::string::npos);
    EXPECT_TRUE(service_->tickets().empty());  // undone, not half-made
    EXPECT_EQ(send("c2", "m1", "发什么快递")["type"], "reply");
    EXPECT_GE(metrics_.journal_failures.value(), 2u);
  }
  // Space is back: the resent handoff goes through.
  const json accepted = send("c1", "m1", "转人工");
  EXPECT_EQ(accepted["type"], "handoff");
  EXPECT_EQ(service_->tickets().size(), 1u);
}

}  // namespace
}  // namespace xiaoer::chat
