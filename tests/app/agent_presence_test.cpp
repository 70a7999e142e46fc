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

}  // namespace
}  // namespace xiaoer::app
