// TestStore: a store of either kind, with what it stands on, for the tests
// that run on both (the store is the fixture's parameter, named "Journal"
// and "Redis" by store_backend_name):
//   Journal: a JournalStore over a journal file in the test's dir, replayed
//            at each start;
//   Redis:   a RedisStore on a redis-server this starts on a free loopback
//            port (tests/store/redis/redis_server.hpp; appendfsync always),
//            its files in the dir; a restart is a new store on the same
//            server, as a daemon restarted finds it.
// A fixture on the Redis parameter calls REQUIRE_REDIS_SERVER() first: the
// test skips when redis-server is missing (fails under CI=true).
//
// Thread safety: use from the test's thread; the store itself is any
// thread's (store.hpp).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "daemon/chat/outbound.hpp"
#include "daemon/common/metrics.hpp"
#include "daemon/store/journal/journal.hpp"
#include "daemon/store/journal/journal_store.hpp"
#include "daemon/store/store.hpp"

namespace xiaoer::store::redis {
class RedisStore;
}  // namespace xiaoer::store::redis

namespace xiaoer::testing {

class RedisServer;

enum class StoreBackend { kJournal, kRedis };

// INSTANTIATE_TEST_SUITE_P(Stores, X, kEveryStoreBackend, store_backend_name).
inline const auto kEveryStoreBackend = ::testing::Values(StoreBackend::kJournal, StoreBackend::kRedis);
std::string store_backend_name(const ::testing::TestParamInfo<StoreBackend>& info);

class TestStore {
 public:
  // Keeps references to `metrics` and `clock`: they must outlive it.
  TestStore(StoreBackend backend, common::Metrics& metrics, const chat::Clock& clock, std::filesystem::path dir);
  ~TestStore();
  TestStore(const TestStore&) = delete;
  TestStore& operator=(const TestStore&) = delete;

  // Starts the store, or starts a new one over what the last one kept (as
  // after a kill -9 of its daemon); false with `error` when it could not.
  bool start(const store::JournalStoreOptions& options, std::string* error);
  // Stops the store: the callbacks still due have run when it returns (the
  // journal's last appends; the Redis store's thread joined). The store
  // object stays until the next start() or the end.
  void stop();

  store::Store& store();
  StoreBackend backend() const { return backend_; }
  // What was sent without waiting for it (acknowledgements, the journal's
  // appends) has reached the journal's file or the Redis server.
  void settle();
  // The journal's store and its journal; null on Redis.
  store::JournalStore* journal_store() { return journal_store_.get(); }
  store::Journal* journal() { return journal_.get(); }

 private:
  StoreBackend backend_;
  common::Metrics& metrics_;
  const chat::Clock& clock_;
  std::filesystem::path dir_;
  std::unique_ptr<store::JournalStore> journal_store_;
  std::unique_ptr<store::Journal> journal_;
  std::unique_ptr<RedisServer> redis_server_;
  std::unique_ptr<store::redis::RedisStore> redis_store_;
};

}  // namespace xiaoer::testing
