#include "daemon/app/agent_presence.hpp"

#include <gtest/gtest.h>

// Presence: who is connected, away, idle, and absent past the grace period.
namespace xiaoer::app {
namespace {

class FakeClock final : public chat::Clock {
 public:
  std::int64_t now_ms() const override { return now; }
  int minute_of_day() const override { return 0; }
  std::int64_t now = 1'000'000;
};

TEST(AgentPresence, AnAgentIsAbsentOnceItsGraceHasPassedWithNoConnection) {
  FakeClock clock;
  AgentPresence presence(clock);
  const std::vector<std::string> agents = {"li", "wang"};
  presence.connected("li");
  clock.now += 5'000;
  EXPECT_EQ(presence.absent(agents, 5'000), std::vector<std::string>{"wang"}) << "never seen: since the start";
  EXPECT_TRUE(presence.absent(agents, 5'000).empty()) << "once per absence";
  presence.disconnected("li");
  clock.now += 4'000;
  presence.active("li");  // a request with its session
  clock.now += 4'000;
  EXPECT_TRUE(presence.absent(agents, 5'000).empty());
  clock.now += 1'000;
  EXPECT_EQ(presence.absent(agents, 5'000), std::vector<std::string>{"li"});
  presence.connected("wang");
  presence.disconnected("wang");
  clock.now += 5'000;
  EXPECT_EQ(presence.absent(agents, 5'000), std::vector<std::string>{"wang"}) << "seen again, absent again";
}

TEST(AgentPresence, RemembersAwayAndWhenAnAgentWasLastGivenATicket) {
  FakeClock clock;
  AgentPresence presence(clock);
  presence.connected("li");
  presence.connected("li");
  presence.disconnected("li");
  presence.set_away("li", true);
  clock.now += 10;
  presence.took("li");
  const AgentPresence::State li = presence.snapshot().at("li");
  EXPECT_EQ(li.connections, 1);
  EXPECT_TRUE(li.away);
  EXPECT_EQ(li.took_ms, 1'000'010);
}

// Two daemons sharing a store: each tells the other what it sees (here()),
// and an agent connected to one is online and never absent on the other;
// the online/away chosen last on either holds on both.
TEST(AgentPresence, AnAgentConnectedToAnotherDaemonIsOnlineHereAndNeverAbsent) {
  FakeClock clock;
  AgentPresence a(clock), b(clock);
  b.connected("li");
  a.elsewhere(b.here());
  clock.now += 10'000;
  a.elsewhere(b.here());
  EXPECT_TRUE(a.absent({"li"}, 5'000).empty()) << "connected to the other daemon";
  EXPECT_TRUE(a.snapshot()["li"].online());
  EXPECT_EQ(a.snapshot()["li"].connections, 0);

  clock.now += 1'000;
  a.set_away("li", true);  // chosen on A (its console's HTTP went there)
  b.elsewhere(a.here());
  EXPECT_FALSE(b.snapshot()["li"].online()) << "away, as chosen last on A";
  clock.now += 1'000;
  b.set_away("li", false);  // then online on B: the later choice holds on both
  a.elsewhere(b.here());
  b.elsewhere(a.here());
  EXPECT_TRUE(a.snapshot()["li"].online());
  EXPECT_TRUE(b.snapshot()["li"].online());

  b.disconnected("li");  // gone from B too: A's grace starts from when it last heard of it
  a.elsewhere(b.here());
  clock.now += 4'000;
  EXPECT_TRUE(a.absent({"li"}, 5'000).empty());
  clock.now += 1'000;
  EXPECT_EQ(a.absent({"li"}, 5'000), std::vector<std::string>{"li"});
}

}  // namespace
}  // namespace xiaoer::app
