#include "daemon/chat/assignment.hpp"

#include <gtest/gtest.h>

#include <variant>

// Auto-assignment and the grace period's release, on plain values.
namespace xiaoer::chat {
namespace {

Snapshot waiting_ticket() {
  Snapshot s;
  s.chat = "c1";
  s.version = 3;
  queue::Ticket& t = s.ticket.emplace();
  t.id = "T-1";
  t.number = 1;
  t.chat = "c1";
  t.reason = "asked_for_human";
  return s;
}

TEST(Assignment, TheMostFreeCapacityThenTheLongestIdleWins) {
  const std::vector<Candidate> online = {{"li", 2, 0}, {"wang", 3, 500}, {"zhao", 4, 100}};
  EXPECT_EQ(choose_agent(online, {})->agent, "zhao");                       // 4 free
  EXPECT_EQ(choose_agent(online, {{"zhao", 2}})->agent, "wang");            // 3 free
  EXPECT_EQ(choose_agent(online, {{"zhao", 2}, {"wang", 1}})->agent, "li");  // 2, 2, 2: li idle longest
  EXPECT_EQ(choose_agent({{"b", 1, 7}, {"a", 1, 7}}, {})->agent, "a") << "then by name";
  EXPECT_FALSE(choose_agent(online, {{"li", 2}, {"wang", 3}, {"zhao", 4}})) << "everyone full";
  EXPECT_FALSE(choose_agent({}, {})) << "nobody online";
}

TEST(Assignment, ANewTicketIsClaimedForTheChosenAgentWithinItsCapacity) {
  Snapshot s = waiting_ticket();
  s.held_by_agent = {{"li", 1}};
  const Effect e = decide_assign(s, "T-1", {{"li", 2, 0}, {"wang", 2, 9}}, 1000);
  ASSERT_TRUE(e.ticket);
  EXPECT_EQ(e.ticket->agent, "wang");
  EXPECT_EQ(e.ticket->state, queue::TicketState::kClaimed);
  ASSERT_TRUE(e.taker);
  EXPECT_EQ(e.taker->capacity, 2) << "the store checks it again";
  EXPECT_EQ(e.sends.events.at(0).kind, proto::TicketEventKind::kClaimed);
  // Claimed meanwhile, or nobody with room: nothing changes.
  Snapshot claimed = waiting_ticket();
  queue::claim(*claimed.ticket, "zhao");
  EXPECT_TRUE(decide_assign(claimed, "T-1", {{"li", 2, 0}}, 1000).changes.empty());
  s.held_by_agent = {{"li", 2}};
  EXPECT_TRUE(decide_assign(s, "T-1", {{"li", 2, 0}}, 1000).changes.empty());
}

TEST(Assignment, AnAbsentAgentLosesOnlyTheTicketsItHasNotAnswered) {
  Snapshot s = waiting_ticket();
  queue::claim(*s.ticket, "li");
  queue::add_line(*s.ticket, {"buyer", "在吗", 10});
  const Effect lapsed = decide_lapse(s, "T-1", "li", 2000);
  ASSERT_TRUE(lapsed.ticket);
  EXPECT_EQ(lapsed.ticket->state, queue::TicketState::kWaiting);
  ASSERT_EQ(lapsed.changes.size(), 1u);
  EXPECT_EQ(std::get<change::Released>(lapsed.changes[0]).agent, "li");
  // Answered by li: it stays li's. Another agent's answer does not count.
  Snapshot answered = s;
  queue::record_agent_reply(*answered.ticket, "li", "您好", 20);
  EXPECT_TRUE(decide_lapse(answered, "T-1", "li", 2000).changes.empty());
  Snapshot transferred = waiting_ticket();
  queue::claim(*transferred.ticket, "wang");
  queue::record_agent_reply(*transferred.ticket, "wang", "您好", 20);
  queue::release(*transferred.ticket, "wang");
  queue::claim(*transferred.ticket, "li");
  EXPECT_FALSE(decide_lapse(transferred, "T-1", "li", 2000).changes.empty());
  // Someone else's now: left alone.
  EXPECT_TRUE(decide_lapse(s, "T-1", "wang", 2000).changes.empty());
}

}  // namespace
}  // namespace xiaoer::chat
