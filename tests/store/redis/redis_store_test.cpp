#include "daemon/store/redis/redis_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <chrono>
#include <future>
#include <map>
#include <thread>

#include "daemon/auth/secret_hash.hpp"
#include "daemon/proto/codec.hpp"
#include "tests/store/redis/redis_server.hpp"
#include "tests/store/test_effects.hpp"
#include "tests/test_dir.hpp"

// The Redis store: each commit whole or refused, shared by two daemons (two
// stores on one server), and what happens when the server goes away.
namespace xiaoer::store::redis {
namespace {

using namespace std::chrono_literals;
using testing::agent_reply;
using testing::claiming;
using testing::opening;
using testing::reply;
using testing::resolving;

class FixedClock final : public chat::Clock {
 public:
  std::int64_t now_ms() const override { return 1'000'000; }
  int minute_of_day() const override { return 12 * 60; }
};

// Polls `condition` for 3 s at most.
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_REDIS_SERVER();
    server_ = std::make_unique<testing::RedisServer>(testing::fresh_test_dir("xiaoer-redis-store-"));
    ASSERT_TRUE(server_->start());
    a_ = make_store(a_carries_, taken_by_a_);
    b_ = make_store(b_carries_, taken_by_b_);
    ASSERT_TRUE(a_->start());
    ASSERT_TRUE(b_->start());
  }
  void TearDown() override {
    if (a_) a_->stop();
    if (b_) b_->stop();
  }

  // A daemon's store; `carries`: whether it has gateway connections (a
  // daemon says so at start and at each tick), `taken`: the pushes it took
  // over from another.
  std::unique_ptr<RedisStore> make_store(const std::atomic<bool>& carries, std::vector<std::string>& taken) {
    RedisStoreOptions options;
    options.endpoint.port = server_->port();
    options.key_prefix = "test:";
    options.command_timeout = 500ms;
    options.connect_timeout = 500ms;
    auto store = std::make_unique<RedisStore>(clock_, options);
    store->set_carrier([&carries] { return carries.load(); },
                       [this, &taken](std::vector<UnackedPush> pushes) {
                         std::lock_guard lock(taken_mutex_);
                         for (const UnackedPush& push : pushes) taken.push_back(push.push_id);
                       });
    return store;
  }
  // A third daemon, without a gateway.
  std::unique_ptr<RedisStore> third_store() { return make_store(c_carries_, taken_by_c_); }
  std::vector<std::string> taken_by(const std::vector<std::string>& taken) {
    std::lock_guard lock(taken_mutex_);
    return taken;
  }

  static chat::Snapshot load(RedisStore& store, const std::string& chat) {
    std::promise<chat::Snapshot> loaded;
    store.load(chat, [&](chat::Snapshot s) { loaded.set_value(std::move(s)); });
    return loaded.get_future().get();
  }
  static chat::Snapshot load_ticket(RedisStore& store, const std::string& ticket) {
    std::promise<chat::Snapshot> loaded;
    store.load_ticket(ticket, [&](chat::Snapshot s) { loaded.set_value(std::move(s)); });
    return loaded.get_future().get();
  }
  static std::pair<CommitResult, chat::Sends> commit(RedisStore& store, chat::Effect effect) {
    std::promise<std::pair<CommitResult, chat::Sends>> done;
    store.commit(std::move(effect), [&](CommitResult r, chat::Sends s) { done.set_value({r, std::move(s)}); });
    return done.get_future().get();
  }

  FixedClock clock_;
  std::unique_ptr<testing::RedisServer> server_;
  std::atomic<bool> a_carries_{true}, b_carries_{true}, c_carries_{false};
  std::mutex taken_mutex_;
  std::vector<std::string> taken_by_a_, taken_by_b_, taken_by_c_;
  std::unique_ptr<RedisStore> a_, b_;
};

TEST_F(RedisStoreTest, ACommitIsSeenByTheOtherDaemonAndAStaleOneIsRefused) {
  const chat::Snapshot on_a = load(*a_, "c1");
  const chat::Snapshot on_b = load(*b_, "c1");
  EXPECT_EQ(on_a.version, 0u);
  const chat::Effect answered = reply(on_a, "m1", "亲，160码");
  ASSERT_EQ(commit(*a_, answered).first, CommitResult::kCommitted);
  // Decided on the same state on the other daemon: refused, decided again.
  EXPECT_EQ(commit(*b_, reply(on_b, "m1", "亲，160码")).first, CommitResult::kConflict);
  const chat::Snapshot again = load(*b_, "c1");
  EXPECT_NE(again.version, 0u);
  ASSERT_EQ(again.state.answered.size(), 1u);
  EXPECT_EQ(again.state.answered[0]->id, "m1");
  // The same frame, byte for byte, for a resend on either daemon.
  EXPECT_EQ(proto::encode(again.state.answered[0]->answer), proto::encode(answered.state->answered[0]->answer));
  EXPECT_EQ(again.state.context.replies, 1u);
}

TEST_F(RedisStoreTest, ATicketNumberIsGivenOnceAcrossDaemons) {
  const chat::Effect first = opening(load(*a_, "c1"));
  const chat::Effect second = opening(load(*b_, "c2"));
  ASSERT_EQ(first.ticket->id, second.ticket->id);
  EXPECT_EQ(commit(*a_, first).first, CommitResult::kCommitted);
  EXPECT_EQ(commit(*b_, second).first, CommitResult::kConflict);
  const chat::Snapshot again = load(*b_, "c2");
  EXPECT_EQ(again.next_ticket_number, 2u);
  EXPECT_EQ(again.waiting_by_priority.at(0), 1u);
  EXPECT_EQ(commit(*b_, opening(again, 1)).first, CommitResult::kCommitted);
  // Both daemons list both, the complaint (priority 1) first.
  for (RedisStore* store : {a_.get(), b_.get()}) {
    ASSERT_TRUE(eventually([&] { return store->tickets().size() == 2; }));
    EXPECT_EQ(store->tickets()[0].ticket.id, "T-2");
    EXPECT_EQ(store->tickets()[0].position, 1);
    EXPECT_EQ(store->queue_waiting(), 2u);
  }
  EXPECT_EQ(load_ticket(*a_, "T-1").ticket_position, 2);
}

// Each daemon offers its decisions in flight numbers of their own: a higher
// number committed on one daemon leaves the other's lower, free one valid
// (refused, the two daemons' handoffs refused each other round after round,
// and in step s of bench/run.sh 169 buyers were answered 'unavailable').
TEST_F(RedisStoreTest, ALowerFreeNumberOpensAfterAHigherOneTakenOnTheOtherDaemon) {
  const chat::Effect on_a = opening(load(*a_, "c1"));
  const chat::Effect first_on_b = opening(load(*b_, "c2"));
  const chat::Effect second_on_b = opening(load(*b_, "c3"));
  ASSERT_EQ(on_a.ticket->id, "T-1");
  ASSERT_EQ(first_on_b.ticket->id, "T-1");
  ASSERT_EQ(second_on_b.ticket->id, "T-2");
  EXPECT_EQ(commit(*b_, second_on_b).first, CommitResult::kCommitted);
  EXPECT_EQ(commit(*a_, on_a).first, CommitResult::kCommitted);
  // T-1 is taken now: b's decision for it is refused, and decided again.
  EXPECT_EQ(commit(*b_, first_on_b).first, CommitResult::kConflict);
  const chat::Snapshot again = load(*b_, "c2");
  EXPECT_EQ(again.next_ticket_number, 3u);
  EXPECT_EQ(commit(*b_, opening(again)).first, CommitResult::kCommitted);
  for (RedisStore* store : {a_.get(), b_.get()}) {
    ASSERT_TRUE(eventually([&] { return store->tickets().size() == 3; }));
    EXPECT_EQ(store->queue_waiting(), 3u);
  }
}

TEST_F(RedisStoreTest, AClaimOnOneDaemonAndAReplyPushTheResolutionInTheOthersHistory) {
  std::mutex mutex;
  std::vector<chat::Sends> heard_by_a;
  a_->set_remote_sends([&](const std::string&, chat::Sends sends) {
    std::lock_guard lock(mutex);
    heard_by_a.push_back(std::move(sends));
  });
  // The buyer's gateway is on A: the handoff committed there.
  ASSERT_EQ(commit(*a_, opening(load(*a_, "c1"))).first, CommitResult::kCommitted);
  ASSERT_TRUE(eventually([&] { return b_->tickets().size() == 1; }));
  // The agent is on B.
  ASSERT_EQ(commit(*b_, claiming(load_ticket(*b_, "T-1"), "li")).first, CommitResult::kCommitted);
  const auto [result, sends] = commit(*b_, agent_reply(load_ticket(*b_, "T-1"), "li", "您好，我来看看"));
  ASSERT_EQ(result, CommitResult::kCommitted);
  EXPECT_TRUE(sends.pushes.empty()) << "the push goes out through A, whose gateway carries the chat";
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return !heard_by_a.empty() && !heard_by_a.back().pushes.empty();
  }));
  {
    std::lock_guard lock(mutex);
    const auto& push = std::get<proto::AgentReplyFrame>(heard_by_a.back().pushes[0]);
    EXPECT_EQ(push.text, "您好，我来看看");
    EXPECT_EQ(push.push_id, "P-1");
  }
  ASSERT_TRUE(eventually([&] { return a_->unacked_pushes().size() == 1; }));
  a_->ack_pushes({"P-1"});
  EXPECT_TRUE(a_->unacked_pushes().empty());

  ASSERT_EQ(commit(*b_, resolving(load_ticket(*b_, "T-1"))).first, CommitResult::kCommitted);
  for (RedisStore* store : {a_.get(), b_.get()}) {
    ASSERT_TRUE(eventually([&] { return store->tickets().empty() && store->resolved("", 0, 10).size() == 1; }));
    EXPECT_EQ(store->resolved("c1", 0, 10)[0].ticket.agent, "li");
  }
  EXPECT_FALSE(load(*a_, "c1").ticket);
  // A third daemon, started now, reads the same from Redis.
  auto c = third_store();
  ASSERT_TRUE(c->start());
  EXPECT_EQ(c->resolved("", 0, 10).size(), 1u);
  EXPECT_TRUE(c->unacked_pushes().empty());
  c->stop();
}

// The chat's gateway leaves A (A no longer carries one, or A died): at B's
// next tick B takes the chat's route and the push waiting on it, and sends
// the chat's later pushes itself.
TEST_F(RedisStoreTest, ADaemonWithAGatewayTakesThePushesOfOneThatHasNone) {
  ASSERT_EQ(commit(*a_, opening(load(*a_, "c1"))).first, CommitResult::kCommitted);  // routed to A
  ASSERT_EQ(commit(*b_, claiming(load_ticket(*b_, "T-1"), "li")).first, CommitResult::kCommitted);
  const auto [result, sends] = commit(*b_, agent_reply(load_ticket(*b_, "T-1"), "li", "在的"));
  ASSERT_EQ(result, CommitResult::kCommitted);
  EXPECT_TRUE(sends.pushes.empty()) << "A carries the chat";

  a_carries_ = false;
  a_->tick(0, 86400000);  // A says so at its tick
  ASSERT_TRUE(eventually([&] {
    b_->tick(0, 86400000);
    return taken_by(taken_by_b_) == std::vector<std::string>{"P-1"};
  }));
  EXPECT_TRUE(taken_by(taken_by_a_).empty());
  const auto [again, later] = commit(*b_, agent_reply(load_ticket(*b_, "T-1"), "li", "还在吗"));
  ASSERT_EQ(again, CommitResult::kCommitted);
  EXPECT_EQ(later.pushes.size(), 1u) << "the chat's route is B's now";
}

// The agents' capacity and auto-assignment decide on the snapshot's
// held_by_agent, read from Redis: a claim made on one daemon counts on the
// other at once (not when its event arrives), and leaves the count when
// the ticket is released or resolved.
TEST_F(RedisStoreTest, AClaimOnOneDaemonCountsInTheOthersSnapshots) {
  ASSERT_EQ(commit(*a_, opening(load(*a_, "c1"))).first, CommitResult::kCommitted);
  ASSERT_TRUE(eventually([&] { return b_->tickets().size() == 1; }));
  EXPECT_TRUE(load(*a_, "c2").held_by_agent.empty());
  ASSERT_EQ(commit(*b_, claiming(load_ticket(*b_, "T-1"), "li")).first, CommitResult::kCommitted);
  EXPECT_EQ(load(*b_, "c2").held_by_agent, (std::map<std::string, int>{{"li", 1}}));
  EXPECT_EQ(load(*a_, "c2").held_by_agent, (std::map<std::string, int>{{"li", 1}}));
  // A third daemon's start rebuilds the counts from the open tickets: the same.
  auto c = third_store();
  ASSERT_TRUE(c->start());
  EXPECT_EQ(load(*c, "c2").held_by_agent, (std::map<std::string, int>{{"li", 1}}));
  c->stop();
  ASSERT_EQ(commit(*a_, resolving(load_ticket(*a_, "T-1"))).first, CommitResult::kCommitted);
  EXPECT_TRUE(load(*b_, "c2").held_by_agent.empty());
}

// Two claims for one agent of capacity 1, decided on two daemons on
// snapshots where it held nothing: the commit script lets one through and
// refuses the other (kConflict, as the journal store does), which, decided
// again, sees the agent full.
TEST_F(RedisStoreTest, TwoClaimsOnTwoDaemonsNeverPassAnAgentsCapacity) {
  ASSERT_EQ(commit(*a_, opening(load(*a_, "c1"))).first, CommitResult::kCommitted);
  ASSERT_EQ(commit(*a_, opening(load(*a_, "c2"))).first, CommitResult::kCommitted);
  chat::Effect first = claiming(load_ticket(*a_, "T-1"), "li");
  chat::Effect second = claiming(load_ticket(*b_, "T-2"), "li");
  first.taker = chat::Effect::Taker{"li", 1};
  second.taker = chat::Effect::Taker{"li", 1};
  EXPECT_EQ(commit(*a_, first).first, CommitResult::kCommitted);
  EXPECT_EQ(commit(*b_, second).first, CommitResult::kConflict);
  const chat::Snapshot again = load_ticket(*b_, "T-2");
  EXPECT_EQ(again.held_by_agent.at("li"), 1);
  EXPECT_EQ(again.ticket->state, queue::TicketState::kWaiting);
  // Another agent is let through; so is li with room for two.
  chat::Effect wang = claiming(again, "wang");
  wang.taker = chat::Effect::Taker{"wang", 1};
  EXPECT_EQ(commit(*b_, wang).first, CommitResult::kCommitted);
  ASSERT_EQ(commit(*a_, opening(load(*a_, "c3"))).first, CommitResult::kCommitted);
  chat::Effect roomier = claiming(load_ticket(*b_, "T-3"), "li");
  roomier.taker = chat::Effect::Taker{"li", 2};
  EXPECT_EQ(commit(*b_, roomier).first, CommitResult::kCommitted);
  EXPECT_EQ(load(*a_, "c9").held_by_agent, (std::map<std::string, int>{{"li", 2}, {"wang", 1}}));
}

// Threads on two daemons claim eight tickets for one agent of capacity 3,
// each deciding again on a refusal as the chat service does (until its
// snapshot shows the agent full): exactly three claims go through.
TEST_F(RedisStoreTest, ConcurrentClaimsOnTwoDaemonsNeverOvershootTheCapacity) {
  constexpr int kTickets = 8;
  constexpr int kCapacity = 3;
  for (int i = 0; i < kTickets; ++i) {
    std::string chat = "c";
    chat += std::to_string(i);
    ASSERT_EQ(commit(*a_, opening(load(*a_, chat))).first, CommitResult::kCommitted);
  }
  std::atomic<int> claimed{0};
  std::vector<std::thread> claimers;
  for (int i = 0; i < kTickets; ++i) {
    claimers.emplace_back([&, i] {
      RedisStore& store = i % 2 == 0 ? *a_ : *b_;
      const std::string ticket = queue::ticket_id(static_cast<std::uint64_t>(i + 1));
      for (int attempt = 0; attempt < 50; ++attempt) {
        const chat::Snapshot s = load_ticket(store, ticket);
        const auto held = s.held_by_agent.find("li");
        if (held != s.held_by_agent.end() && held->second >= kCapacity) return;  // full: refused to the agent
        chat::Effect claim = claiming(s, "li");
        claim.taker = chat::Effect::Taker{"li", kCapacity};
        const CommitResult r = commit(store, claim).first;
        if (r == CommitResult::kCommitted) {
          ++claimed;
          return;
        }
        ASSERT_EQ(r, CommitResult::kConflict);
      }
      ADD_FAILURE() << "50 refusals in a row for " << ticket;
    });
  }
  for (auto& t : claimers) t.join();
  EXPECT_EQ(claimed.load(), kCapacity);
  EXPECT_EQ(load(*b_, "c0").held_by_agent.at("li"), kCapacity);
  for (RedisStore* store : {a_.get(), b_.get()}) {
    ASSERT_TRUE(eventually([&] {
      int held = 0;
      for (const Store::Listed& listed : store->tickets()) held += listed.ticket.agent == "li" ? 1 : 0;
      return held == kCapacity;
    }));
  }
}

TEST_F(RedisStoreTest, WithRedisGoneBotRepliesFlowAndQueueChangesAreRefused) {
  ASSERT_EQ(commit(*a_, opening(load(*a_, "c1"))).first, CommitResult::kCommitted);
  server_->kill();
  ASSERT_TRUE(eventually([&] { return !a_->available(); }));
  const chat::Snapshot bot = load(*a_, "c2");
  const auto [result, sends] = commit(*a_, reply(bot, "m1", "亲"));
  EXPECT_EQ(result, CommitResult::kNotDurable);
  EXPECT_TRUE(sends.answer.has_value()) << "a bot reply goes out";
  // The chat with a ticket: its snapshot has the ticket (from the mirror),
  // and a queue change is refused.
  const chat::Snapshot queued = load(*a_, "c1");
  ASSERT_TRUE(queued.ticket);
  EXPECT_EQ(commit(*a_, claiming(queued, "li")).first, CommitResult::kUnavailable);
  EXPECT_EQ(commit(*a_, opening(load(*a_, "c3"))).first, CommitResult::kUnavailable);
  // Back (same port, the append-only file): what was committed is there.
  ASSERT_TRUE(server_->start());
  ASSERT_TRUE(eventually([&] { return a_->available(); }));
  ASSERT_TRUE(eventually([&] {
    const chat::Snapshot s = load_ticket(*a_, "T-1");
    return s.ticket && commit(*a_, claiming(s, "li")).first == CommitResult::kCommitted;
  }));
}

// backlog() counts what was asked and not answered (what the app's
// ReadGate bounds): loads waiting for a stopped Redis, and a load waiting
// behind a commit of its chat, each until its callback has run; the
// observer hears every answer.
TEST_F(RedisStoreTest, TheBacklogCountsLoadsAndCommitsUntilTheyAreAnswered) {
  auto store = third_store();
  std::mutex heard_mutex;
  std::vector<std::size_t> heard;
  store->set_backlog_observer([&](std::size_t backlog) {
    std::lock_guard lock(heard_mutex);
    heard.push_back(backlog);
  });
  ASSERT_TRUE(store->start());
  const chat::Snapshot first = load(*store, "c1");
  // Counted down just after the callback that woke this thread.
  ASSERT_TRUE(eventually([&] { return store->backlog() == 0; }));

  server_->pause();
  std::atomic<int> answered{0};
  std::promise<CommitResult> committed;
  store->commit(reply(first, "m1", "亲"), [&](CommitResult r, chat::Sends) { committed.set_value(r); });
  // Behind the commit of its chat: waits in the store, not in Redis.
  store->load("c1", [&](chat::Snapshot) { ++answered; });
  store->load("c2", [&](chat::Snapshot) { ++answered; });
  EXPECT_EQ(store->backlog(), 3u);
  server_->resume();
  EXPECT_EQ(committed.get_future().get(), CommitResult::kCommitted);
  ASSERT_TRUE(eventually([&] { return answered == 2; }));
  EXPECT_TRUE(eventually([&] { return store->backlog() == 0; }));
  std::lock_guard lock(heard_mutex);
  ASSERT_GE(heard.size(), 4u);  // the first load, then the three
  EXPECT_EQ(heard.back(), 0u);
  store->stop();
}

// A daemon restarted behind the balancer: its first request may be a
// console's that logged in on it just before the restart. The login
// written as the old store stopped is there, and so are the accounts,
// before start() returns.
TEST_F(RedisStoreTest, AStoreStartsWithTheLoginsAndAccountsOnRedis) {
  // Declared before the stores that call into them, so they outlive them.
  auth::LoginSessions before_restart, after_restart;
  std::mutex accounts_mutex;  // applied again on the store's thread at each (re)connect
  std::shared_ptr<const auth::AgentAccounts> accounts;
  auth::AgentAccounts seed;
  seed.by_name["li"].secret_hash = auth::hash_secret("li's secret");

  auto stopping = third_store();
  stopping->share_sessions(before_restart);
  stopping->share_accounts(seed, [](std::shared_ptr<const auth::AgentAccounts>) {});
  ASSERT_TRUE(stopping->start());
  const std::string token = before_restart.open("li", clock_.now_ms(), 60'000);
  stopping->stop();  // at once: the login is still on its way to Redis

  auto starting = third_store();
  starting->share_sessions(after_restart);
  starting->share_accounts({}, [&](std::shared_ptr<const auth::AgentAccounts> a) {
    std::lock_guard lock(accounts_mutex);
    accounts = std::move(a);
  });
  ASSERT_TRUE(starting->start());
  EXPECT_EQ(after_restart.find(token, clock_.now_ms()), "li");
  std::unique_lock lock(accounts_mutex);
  const std::shared_ptr<const auth::AgentAccounts> applied = accounts;
  lock.unlock();
  ASSERT_TRUE(applied);
  EXPECT_TRUE(applied->find("li"));
  starting->stop();
}

// Many writers on two daemons, one chat: every commit is whole or refused,
// none lost (the count of replies is the number of commits acknowledged).
// Each message is retried on a conflict until it lands: a writer may lose
// many rounds in a row while the others go on, which is waiting, not loss.
TEST_F(RedisStoreTest, ConcurrentCommitsOfOneChatLoseNothing) {
  std::atomic<int> committed{0};
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      RedisStore& store = w % 2 == 0 ? *a_ : *b_;
      for (int i = 0; i < 25; ++i) {
        const std::string id = "m" + std::to_string(w) + "-" + std::to_string(i);
        while (std::chrono::steady_clock::now() < deadline) {
          const CommitResult r = commit(store, reply(load(store, "busy"), id, "亲")).first;
          if (r == CommitResult::kCommitted) {
            ++committed;
            break;
          }
          ASSERT_EQ(r, CommitResult::kConflict);
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(committed.load(), 100);
  EXPECT_EQ(load(*a_, "busy").state.context.replies, 100u);
}

}  // namespace
}  // namespace xiaoer::store::redis
