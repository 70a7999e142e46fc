#include "daemon/chat/sla.hpp"

#include <gtest/gtest.h>

namespace xiaoer::chat {
namespace {

proto::TicketView ticket(std::string reason, std::vector<proto::TranscriptEntry> lines) {
  proto::TicketView t;
  t.reason = std::move(reason);
  t.opened_ms = 500;
  t.transcript = std::move(lines);
  return t;
}

TEST(Sla, CountsFromTheOldestUnansweredBuyerLine) {
  ChatOptions o;
  o.sla_ms = 180000;
  o.sla_complaint_ms = 60000;
  EXPECT_EQ(sla_deadline_ms(ticket("asked_for_human", {{"buyer", "a", 1000}, {"bot", "b", 1100}, {"buyer", "c", 2000}}), o),
            181000);
  EXPECT_EQ(sla_deadline_ms(ticket("complaint", {{"buyer", "a", 1000}}), o), 61000);
  // An agent answered: nothing owed until the buyer writes again.
  EXPECT_EQ(sla_deadline_ms(ticket("intent", {{"buyer", "a", 1000}, {"agent", "b", 1500, "li"}}), o), 0);
  EXPECT_EQ(sla_deadline_ms(ticket("intent", {{"buyer", "a", 1000}, {"agent", "b", 1500, "li"}, {"buyer", "c", 9000}}), o),
            189000);
  // No buyer line kept: from the handoff.
  EXPECT_EQ(sla_deadline_ms(ticket("intent", {{"bot", "b", 700}}), o), 180500);
}

// Each run of buyer lines has one deadline; it is missed when the agent
// answered after it, or nobody had by the end (now, or the resolution);
// only deadlines within the window count (today).
TEST(Sla, MissedDeadlinesAreCountedOncePerRunWithinTheWindow) {
  ChatOptions o;
  o.sla_ms = 1000;
  const proto::TicketView t = ticket("asked_for_human", {{"buyer", "a", 1000},
                                                        {"buyer", "b", 1500},
                                                        {"agent", "late", 2500, "li"},  // deadline 2000: missed
                                                        {"buyer", "c", 3000},
                                                        {"agent", "in time", 3500, "li"},
                                                        {"buyer", "d", 5000}});  // deadline 6000
  EXPECT_EQ(missed_deadlines(t, o, 0, 5500), 1) << "the last run is not due yet";
  EXPECT_EQ(missed_deadlines(t, o, 0, 7000), 2);
  EXPECT_EQ(missed_deadlines(t, o, 2001, 7000), 1) << "the first deadline was before the window";
  EXPECT_EQ(missed_deadlines(ticket("intent", {{"bot", "b", 700}}), o, 0, 9000), 1) << "no buyer line: from the handoff";
}

}  // namespace
}  // namespace xiaoer::chat
