// ConnectionRegistry (issue 10, defect 8: it had no unit test): the limit
// counts upgrades under way, a place is taken once, and close_all reaches
// every connection still alive.
#include "daemon/net/connection_registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>


namespace xiaoer::net {
namespace {

class ClosingConnection final : public Connection {
 public:
  explicit ClosingConnection(std::uint64_t id) : id_(id) {}
  void send(std::string) override {}
  void send_tracked(std::string, Written) override {}
  void close() override { ++closed; }
  std::uint64_t id() const override { return id_; }
  Role role() const override { return Role::kGateway; }
  const Identity& identity() const override { return identity_; }
  int closed = 0;

 private:
  std::uint64_t id_;
  Identity identity_;
};

TEST(ConnectionRegistry, UpgradesUnderWayCountAgainstTheLimitAndTakeTheirPlaceOnce) {
  ConnectionRegistry registry;
  ASSERT_TRUE(registry.begin_upgrade(2));
  ASSERT_TRUE(registry.begin_upgrade(2));
  EXPECT_FALSE(registry.begin_upgrade(2)) << "two upgrades under way fill a limit of two";
  auto a = std::make_shared<ClosingConnection>(registry.next_id());
  registry.add(a, /*upgraded=*/true);
  EXPECT_FALSE(registry.begin_upgrade(2)) << "the upgrade's place counted twice or lost";
  registry.abandon_upgrade();
  EXPECT_TRUE(registry.begin_upgrade(2));
  EXPECT_EQ(registry.size(), 1u);
  registry.remove(a->id());
  EXPECT_EQ(registry.size(), 0u);
}

TEST(ConnectionRegistry, IdsAreUniqueAcrossThreads) {
  ConnectionRegistry registry;
  std::vector<std::uint64_t> ids(4000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) ids[static_cast<std::size_t>(t * 1000 + i)] = registry.next_id();
    });
  }
  for (auto& thread : threads) thread.join();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  EXPECT_NE(ids.front(), 0u) << "0 means no connection to the dispatcher's routes";
}

TEST(ConnectionRegistry, CloseAllClosesEveryLiveConnectionAndSkipsGoneOnes) {
  ConnectionRegistry registry;
  auto a = std::make_shared<ClosingConnection>(registry.next_id());
  auto b = std::make_shared<ClosingConnection>(registry.next_id());
  registry.add(a, false);
  registry.add(b, false);
  {
    auto gone = std::make_shared<ClosingConnection>(registry.next_id());
    registry.add(gone, false);
  }
  registry.close_all();
  EXPECT_EQ(a->closed, 1);
  EXPECT_EQ(b->closed, 1);
}

}  // namespace
}  // namespace xiaoer::net
