#include "daemon/store/redis/redis_connection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <spdlog/spdlog.h>

#include "daemon/store/redis/redis_endpoint.hpp"
#include "tests/store/redis/redis_server.hpp"
#include "tests/test_dir.hpp"

namespace xiaoer::store::redis {
namespace {

using namespace std::chrono_literals;

// An io_context run by two threads (as the daemon's I/O threads).
class Loop {
 public:
  Loop() {
    // spdlog's registry is built at its first use, inside libspdlog (not
    // instrumented): built here before the threads, as the daemon sets up
    // its logging before its own, or TSan takes the two threads' first logs
    // for a race.
    spdlog::default_logger_raw();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~Loop() {
    work_.reset();
    for (auto& t : threads_) t.join();
  }
  boost::asio::io_context& ioc() { return ioc_; }

 private:
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::vector<std::thread> threads_;
};

// How long a wait for redis may take before the test fails: a bound, not a
// speed (a -j2 run under ASan on 2 cores stalls for seconds at times; one
// run missed a 3-s bound here once).
constexpr auto kPatience = 10s;

RedisConnectionOptions options_for(int port) {
  RedisConnectionOptions options;
  options.endpoint.port = port;
  options.command_timeout = 300ms;
  options.connect_timeout = 300ms;
  options.reconnect_min = 20ms;
  options.reconnect_max = 100ms;
  return options;
}

RedisReply run(RedisConnection& connection, std::vector<std::string> args) {
  std::promise<RedisReply> promise;
  auto future = promise.get_future();
  connection.command(std::move(args), [&promise](RedisReply reply) { promise.set_value(std::move(reply)); });
  if (future.wait_for(5s) != std::future_status::ready) return RedisReply::failure("the test waited 5 s");
  return future.get();
}

// Commands until one succeeds (after a reconnect), within `bound`.
bool eventually_ok(RedisConnection& connection, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline) {
    if (run(connection, {"PING"}).type == RedisReply::Type::kStatus) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

class RedisConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_REDIS_SERVER();
    server_ = std::make_unique<testing::RedisServer>(testing::fresh_test_dir("xiaoer-redis-"));
    ASSERT_TRUE(server_->start());
  }
  void TearDown() override {
    for (auto& c : connections_) c->stop();
  }
  std::shared_ptr<RedisConnection> connect(RedisConnectionOptions options) {
    auto connection = RedisConnection::create(loop_.ioc(), std::move(options));
    connection->start();
    connections_.push_back(connection);
    return connection;
  }

  Loop loop_;
  std::unique_ptr<testing::RedisServer> server_;
  std::vector<std::shared_ptr<RedisConnection>> connections_;
};

TEST(RedisEndpoint, ParsesHostPortAndDb) {
  std::string error;
  const auto e = parse_redis_url("redis://10.0.0.5:6380/3", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->host, "10.0.0.5");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 3);
  const auto d = parse_redis_url("redis://cache", &error);
  ASSERT_TRUE(d) << error;
  EXPECT_EQ(d->port, 6379);
  EXPECT_EQ(d->db, 0);
  EXPECT_FALSE(parse_redis_url("http://x:1", &error));
  EXPECT_FALSE(parse_redis_url("redis://x:0", &error));
  EXPECT_FALSE(parse_redis_url("redis://x:1/a", &error));
  EXPECT_FALSE(parse_redis_url("redis://:pw@x:1", &error));
  EXPECT_NE(error.find("password"), std::string::npos);
}

TEST_F(RedisConnectionTest, RepliesOfEveryType) {
  auto c = connect(options_for(server_->port()));
  ASSERT_TRUE(eventually_ok(*c, kPatience));
  const std::string binary("a\0b\r\nc", 6);
  EXPECT_EQ(run(*c, {"SET", "k", binary}).type, RedisReply::Type::kStatus);
  const RedisReply got = run(*c, {"GET", "k"});
  EXPECT_EQ(got.type, RedisReply::Type::kString);
  EXPECT_EQ(got.text, binary);
  EXPECT_EQ(run(*c, {"GET", "missing"}).type, RedisReply::Type::kNil);
  EXPECT_EQ(run(*c, {"INCRBY", "n", "5"}).integer, 5);
  run(*c, {"RPUSH", "l", "x", "y"});
  const RedisReply list = run(*c, {"LRANGE", "l", "0", "-1"});
  ASSERT_EQ(list.type, RedisReply::Type::kArray);
  ASSERT_EQ(list.elements.size(), 2u);
  EXPECT_EQ(list.elements[1].text, "y");
  const RedisReply wrong = run(*c, {"INCR", "l"});
  EXPECT_TRUE(wrong.error());
  EXPECT_NE(wrong.text.find("WRONGTYPE"), std::string::npos);
}

TEST_F(RedisConnectionTest, SelectsTheDatabaseOfTheUrl) {
  RedisConnectionOptions one = options_for(server_->port());
  one.endpoint.db = 1;
  auto c1 = connect(one);
  auto c0 = connect(options_for(server_->port()));
  ASSERT_TRUE(eventually_ok(*c1, kPatience));
  ASSERT_TRUE(eventually_ok(*c0, kPatience));
  run(*c1, {"SET", "where", "one"});
  EXPECT_EQ(run(*c0, {"GET", "where"}).type, RedisReply::Type::kNil);
  EXPECT_EQ(run(*c1, {"GET", "where"}).text, "one");
}

TEST_F(RedisConnectionTest, ManyCommandsFromManyThreadsEachGetTheirOwnReply) {
  auto c = connect(options_for(server_->port()));
  ASSERT_TRUE(eventually_ok(*c, kPatience));
  constexpr int kThreads = 4, kEach = 200;
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string value = std::to_string(t) + ":" + std::to_string(i);
        if (run(*c, {"ECHO", value}).text == value) ++right;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(right.load(), kThreads * kEach);
}

TEST_F(RedisConnectionTest, NotConnectedFailsAtOnceAndReconnectsWhenTheServerReturns) {
  std::atomic<int> ups{0};  // outlives the connection that counts on it
  auto c = connect(options_for(server_->port()));
  ASSERT_TRUE(eventually_ok(*c, kPatience));
  c->set_on_up([&ups] { ++ups; });
  server_->kill();
  const auto started = std::chrono::steady_clock::now();
  RedisReply down = run(*c, {"PING"});
  for (int i = 0; i < 50 && !down.failed(); ++i) down = run(*c, {"PING"});  // until the loss is seen
  EXPECT_TRUE(down.failed());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_FALSE(c->connected());
  ASSERT_TRUE(server_->start());
  EXPECT_TRUE(eventually_ok(*c, kPatience));
  EXPECT_GE(ups.load(), 1);
}

TEST_F(RedisConnectionTest, AHungServerTimesOutThenTheConnectionComesBack) {
  auto c = connect(options_for(server_->port()));
  ASSERT_TRUE(eventually_ok(*c, kPatience));
  server_->pause();
  const auto started = std::chrono::steady_clock::now();
  const RedisReply hung = run(*c, {"PING"});
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(hung.failed());
  EXPECT_NE(hung.text.find("no reply"), std::string::npos) << hung.text;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 2s);
  server_->resume();
  EXPECT_TRUE(eventually_ok(*c, kPatience));
}

TEST_F(RedisConnectionTest, NoServerAtAllFailsEveryCommandQuickly) {
  server_->kill();
  auto c = connect(options_for(server_->port()));
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(run(*c, {"PING"}).failed());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

// A drain stops the store right after the last login or resolve was sent:
// those still reach Redis, and nothing after the close is sent.
TEST_F(RedisConnectionTest, StopLetsWhatWasSentFinishThenCloses) {
  auto c = connect(options_for(server_->port()));
  ASSERT_TRUE(eventually_ok(*c, kPatience));
  std::promise<RedisReply> first, follow_up;
  c->command({"SET", "session", "li"}, [&](RedisReply reply) {
    first.set_value(std::move(reply));
    // Issued by a callback, as a script sent again whole is.
    c->command({"SET", "follow-up", "yes"}, [&](RedisReply r) { follow_up.set_value(std::move(r)); });
  });
  c->stop();
  auto first_reply = first.get_future();
  auto follow_up_reply = follow_up.get_future();
  ASSERT_EQ(first_reply.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(first_reply.get().type, RedisReply::Type::kStatus);
  ASSERT_EQ(follow_up_reply.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(follow_up_reply.get().type, RedisReply::Type::kStatus);
  const auto closed = [&] {
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < deadline && c->connected()) std::this_thread::sleep_for(10ms);
    return !c->connected();
  };
  ASSERT_TRUE(closed());
  EXPECT_TRUE(run(*c, {"PING"}).failed());
  auto reader = connect(options_for(server_->port()));
  ASSERT_TRUE(eventually_ok(*reader, kPatience));
  EXPECT_EQ(run(*reader, {"GET", "session"}).text, "li");
  EXPECT_EQ(run(*reader, {"GET", "follow-up"}).text, "yes");
}

TEST_F(RedisConnectionTest, SubscriberGetsMessagesAndResubscribesAfterARestart) {
  // Owned by the handlers too: the subscriber may still deliver a message
  // published last after this test's body has returned (the fixture stops
  // the connections only in TearDown).
  struct Heard {
    std::mutex mutex;
    std::vector<std::string> got;
    std::atomic<int> ups{0};
  };
  const auto heard = std::make_shared<Heard>();
  std::mutex& mutex = heard->mutex;
  std::vector<std::string>& got = heard->got;
  auto publisher = connect(options_for(server_->port()));
  auto subscriber = connect(options_for(server_->port()));
  subscriber->set_on_up([heard] { ++heard->ups; });
  subscriber->subscribe("events", [heard](const std::string& payload) {
    std::lock_guard lock(heard->mutex);
    heard->got.push_back(payload);
  });
  ASSERT_TRUE(eventually_ok(*publisher, kPatience));
  const auto received = [&](const std::string& payload, std::chrono::milliseconds bound) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
      run(*publisher, {"PUBLISH", "events", payload});
      {
        std::lock_guard lock(mutex);
        if (std::find(got.begin(), got.end(), payload) != got.end()) return true;
      }
      std::this_thread::sleep_for(20ms);
    }
    return false;
  };
  EXPECT_TRUE(received("first", kPatience));
  server_->kill();
  ASSERT_TRUE(server_->start());
  ASSERT_TRUE(eventually_ok(*publisher, kPatience));
  EXPECT_TRUE(received("after restart", kPatience));
  EXPECT_GE(heard->ups.load(), 1);
}

}  // namespace
}  // namespace xiaoer::store::redis
