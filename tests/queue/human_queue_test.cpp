#include "daemon/queue/human_queue.hpp"

#include <gtest/gtest.h>

namespace xiaoer::queue {
namespace {

TEST(HumanQueue, ComplaintsFirstThenOldest) {
  HumanQueue q;
  q.open("T-1", "c1", "asked_for_human", 0, 1000, {});
  q.open("T-2", "c2", "complaint", 1, 2000, {});
  q.open("T-3", "c3", "unresolved", 0, 3000, {});
  EXPECT_EQ(q.position("T-2"), 1);
  EXPECT_EQ(q.position("T-1"), 2);
  EXPECT_EQ(q.position("T-3"), 3);
  const auto ordered = q.ordered();
  ASSERT_EQ(ordered.size(), 3u);
  EXPECT_EQ(ordered[0]->id, "T-2");
  EXPECT_EQ(ordered[2]->id, "T-3");
  EXPECT_EQ(q.next_number(), 4u);
  EXPECT_EQ(q.oldest_waiting_ms(), 1000);
}

TEST(HumanQueue, ClaimReleaseReplyResolve) {
  HumanQueue q;
  q.open("T-1", "c1", "asked_for_human", 0, 1000, {{"buyer", "转人工", 1000}});
  q.open("T-2", "c2", "asked_for_human", 0, 1001, {});
  EXPECT_TRUE(q.claim("T-1", "li"));
  EXPECT_FALSE(q.claim("T-1", "wang"));  // already claimed
  EXPECT_EQ(q.position("T-1"), 0);
  EXPECT_EQ(q.position("T-2"), 1);  // moved up
  EXPECT_FALSE(q.record_agent_reply("T-1", "wang", "hi", 1100));
  EXPECT_TRUE(q.record_agent_reply("T-1", "li", "您好", 1100));
  EXPECT_EQ(q.find("T-1")->transcript.back().text, "您好");
  EXPECT_EQ(q.find("T-1")->last_agent_reply_ms, 1100);
  EXPECT_FALSE(q.release("T-1", "wang"));
  EXPECT_TRUE(q.release("T-1", "li"));
  EXPECT_EQ(q.position("T-1"), 1);  // back in line, by its age
  const auto resolved = q.resolve("T-1");
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->chat, "c1");
  EXPECT_EQ(q.find_by_chat("c1"), nullptr);
  EXPECT_EQ(q.waiting(), 1u);
  EXPECT_FALSE(q.resolve("T-1"));
}

TEST(HumanQueue, NoticesAreDueOnceWithoutAgentReply) {
  HumanQueue q;
  q.open("T-1", "c1", "unresolved", 0, 0, {});
  q.open("T-2", "c2", "unresolved", 0, 50000, {});
  EXPECT_TRUE(q.due_notices(119999, 120000).empty());
  auto due = q.due_notices(120000, 120000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0]->id, "T-1");
  q.mark_notice_sent("T-1");
  EXPECT_TRUE(q.due_notices(130000, 120000).empty());
  q.claim("T-2", "li");
  q.record_agent_reply("T-2", "li", "在的", 60000);
  EXPECT_TRUE(q.due_notices(500000, 120000).empty());
}

// The index due_notices reads follows every way a ticket stops being owed a
// notice, and a restored ticket keeps its state.
TEST(HumanQueue, DueNoticesFollowResolveAndRestore) {
  HumanQueue q;
  // Ids appended, not `"T-" + std::to_string(i)`: GCC 12 warns -Wrestrict on that (a false positive).
  for (int i = 1; i <= 12; ++i) {
    const std::string n = std::to_string(i);
    q.open(std::string("T-").append(n), std::string("c").append(n), "intent", 0, 1000, {});
  }
  q.resolve("T-3");
  Ticket sent = *q.resolve("T-4");
  sent.notice_sent = true;
  q.restore(sent);
  Ticket answered = *q.resolve("T-5");
  answered.last_agent_reply_ms = 2000;
  q.restore(answered);
  q.restore(*q.resolve("T-6"));  // undone as it was: still owed
  std::vector<std::string> due;
  for (const Ticket* t : q.due_notices(1000 + 120000, 120000)) due.push_back(t->id);
  EXPECT_EQ(due, (std::vector<std::string>{"T-1", "T-2", "T-6", "T-7", "T-8", "T-9", "T-10", "T-11", "T-12"}));
  q.open("T-13", "c13", "intent", 0, 5000, {});
  EXPECT_EQ(q.due_notices(1000 + 120000, 120000).size(), 9u);  // not yet due
}

TEST(HumanQueue, TranscriptIsCapped) {
  HumanQueue q(3);
  q.open("T-1", "c1", "intent", 0, 0, {{"buyer", "a", 1}, {"bot", "b", 2}, {"buyer", "c", 3}, {"bot", "d", 4}});
  EXPECT_EQ(q.find("T-1")->transcript.size(), 3u);
  EXPECT_EQ(q.find("T-1")->transcript.front().text, "b");
  q.add_line("T-1", {"buyer", "e", 5});
  EXPECT_EQ(q.find("T-1")->transcript.front().text, "c");
}

TEST(HumanQueue, RestoreKeepsEveryField) {
  HumanQueue q;
  Ticket t;
  t.id = "T-7";
  t.chat = "c7";
  t.reason = "complaint";
  t.priority = 1;
  t.opened_ms = 42;
  t.state = TicketState::kClaimed;
  t.agent = "li";
  t.notice_sent = true;
  t.last_agent_reply_ms = 99;
  t.transcript = {{"buyer", "差评", 40}};
  q.restore(t);
  const Ticket* r = q.find("T-7");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->state, TicketState::kClaimed);
  EXPECT_EQ(r->agent, "li");
  EXPECT_TRUE(r->notice_sent);
  EXPECT_EQ(r->last_agent_reply_ms, 99);
  EXPECT_EQ(q.next_number(), 8u);
  EXPECT_EQ(q.waiting(), 0u);
}

}  // namespace
}  // namespace xiaoer::queue
