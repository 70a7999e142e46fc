#include "tests/store/test_store.hpp"

#include <chrono>
#include <future>

#include "daemon/store/redis/redis_store.hpp"
#include "tests/store/redis/redis_server.hpp"

namespace xiaoer::testing {

std::string store_backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param == StoreBackend::kJournal ? "Journal" : "Redis";
}

TestStore::TestStore(StoreBackend backend, common::Metrics& metrics, const chat::Clock& clock,
                     std::filesystem::path dir)
    : backend_(backend), metrics_(metrics), clock_(clock), dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
}

TestStore::~TestStore() {
  stop();
  redis_store_.reset();
  redis_server_.reset();  // kills the server, removes its files
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool TestStore::start(const store::JournalStoreOptions& options, std::string* error) {
  stop();
  if (backend_ == StoreBackend::kRedis) {
    if (!redis_server_) {
      redis_server_ = std::make_unique<RedisServer>(dir_ / "redis");
      if (!redis_server_->start()) {
        *error = "redis-server did not start (its log: " + (dir_ / "redis" / "redis.log").string() + ")";
        return false;
      }
    }
    store::redis::RedisStoreOptions redis;
    redis.endpoint.port = redis_server_->port();
    redis.key_prefix = "test:";
    redis.command_timeout = std::chrono::milliseconds(1000);
    redis.connect_timeout = std::chrono::milliseconds(1000);
    redis_store_ = std::make_unique<store::redis::RedisStore>(clock_, redis);
    if (!redis_store_->start()) {
      *error = "the Redis store did not load from redis-server";
      return false;
    }
    return true;
  }
  journal_store_ = std::make_unique<store::JournalStore>(metrics_, clock_, options);
  store::ReplayReport report;
  journal_ = store::Journal::open(
      {(dir_ / "journal.log").string()},
      [this](std::string_view record) {
        std::string why;
        EXPECT_TRUE(journal_store_->replay(record, &why)) << why;
      },
      &report, error);
  if (journal_ == nullptr) return false;
  journal_store_->attach(*journal_);
  return true;
}

void TestStore::stop() {
  journal_.reset();  // its destructor runs the last callbacks, into the store
  if (redis_store_) redis_store_->stop();
}

store::Store& TestStore::store() {
  if (redis_store_) return *redis_store_;
  return *journal_store_;
}

void TestStore::settle() {
  if (journal_) journal_->flush();
  if (redis_store_) {
    // One connection's commands run in order: once a load (a script on the
    // same connection) answers, what was sent before it has run.
    std::promise<void> loaded;
    redis_store_->load("settle", [&](chat::Snapshot) { loaded.set_value(); });
    loaded.get_future().wait();
  }
}

}  // namespace xiaoer::testing
