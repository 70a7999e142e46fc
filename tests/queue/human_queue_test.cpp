#include "daemon/queue/human_queue.hpp"

#include <gtest/gtest.h>

namespace xiaoer::queue {
namespace {

Ticket waiting(std::string id, std::string chat, int priority, std::int64_t opened_ms,
               std::vector<TranscriptLine> transcript = {}) {
  Ticket t;
  t.id = std::move(id);
  t.chat = std::move(chat);
  t.reason = priority > 0 ? "complaint" : "asked_for_human";
  t.priority = priority;
  t.opened_ms = opened_ms;
  t.transcript = std::move(transcript);
  return t;
}

TEST(HumanQueue, ComplaintsFirstThenOldest) {
  HumanQueue q;
  q.put(waiting("T-1", "c1", 0, 1000));
  q.put(waiting("T-2", "c2", 1, 2000));
  q.put(waiting("T-3", "c3", 0, 3000));
  EXPECT_EQ(q.position("T-2"), 1);
  EXPECT_EQ(q.position("T-1"), 2);
  EXPECT_EQ(q.position("T-3"), 3);
  const auto ordered = q.ordered();
  ASSERT_EQ(ordered.size(), 3u);
  EXPECT_EQ(ordered[0]->id, "T-2");
  EXPECT_EQ(ordered[2]->id, "T-3");
  EXPECT_EQ(q.next_number(), 4u);
  EXPECT_EQ(q.oldest_waiting_ms(), 1000);
  EXPECT_EQ(q.place_in_line(0, 2), 3) << "where a claimed T-2 of priority 0 would go back";
}

// The oldest waiting ticket by opening time, whatever its priority or
// number, as tickets are claimed, released and resolved.
TEST(HumanQueue, OldestWaitingFollowsTheLine) {
  HumanQueue q;
  EXPECT_EQ(q.oldest_waiting_ms(), std::nullopt);
  Ticket late_number = waiting("T-5", "c5", 0, 900);  // numbered after, opened before
  q.put(waiting("T-1", "c1", 0, 1000));
  q.put(waiting("T-2", "c2", 1, 1500));
  q.put(std::move(late_number));
  EXPECT_EQ(q.oldest_waiting_ms(), 900);
  EXPECT_TRUE(q.claim("T-5", "li"));
  EXPECT_EQ(q.oldest_waiting_ms(), 1000);
  EXPECT_TRUE(q.claim("T-1", "li"));
  EXPECT_EQ(q.oldest_waiting_ms(), 1500) << "a complaint, the only one left";
  EXPECT_TRUE(q.release("T-5", "li"));
  EXPECT_EQ(q.oldest_waiting_ms(), 900) << "back in line with its own age";
  ASSERT_TRUE(q.resolve("T-5"));
  ASSERT_TRUE(q.resolve("T-2"));
  EXPECT_EQ(q.oldest_waiting_ms(), std::nullopt) << "T-1 is claimed";
}

TEST(HumanQueue, ClaimReleaseReplyResolve) {
  HumanQueue q;
  q.put(waiting("T-1", "c1", 0, 1000, {{"buyer", "转人工", 1000}}));
  q.put(waiting("T-2", "c2", 0, 1001));
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

// Resolving a ticket drops its chat's index only when the index names it:
// the chat's newer ticket stays findable.
TEST(HumanQueue, ResolveLeavesTheChatsNewerTicketFindable) {
  HumanQueue q;
  q.put(waiting("T-1", "c1", 0, 1000));
  q.put(waiting("T-2", "c1", 0, 2000));  // the index now names T-2
  ASSERT_TRUE(q.resolve("T-1"));
  ASSERT_NE(q.find_by_chat("c1"), nullptr) << "the index of chat c1 was erased by an older ticket";
  EXPECT_EQ(q.find_by_chat("c1")->id, "T-2");
}

TEST(HumanQueue, PutReplacesATicketAndItsPlaceInLine) {
  HumanQueue q;
  q.put(waiting("T-1", "c1", 0, 1000));
  q.put(waiting("T-2", "c2", 0, 1001));
  Ticket claimed = *q.find("T-1");
  ASSERT_TRUE(claim(claimed, "li"));
  q.put(claimed);
  EXPECT_EQ(q.waiting(), 1u);
  EXPECT_EQ(q.position("T-2"), 1);
  EXPECT_EQ(q.find("T-1")->agent, "li");
  EXPECT_EQ(q.size(), 2u);
}

// The chats each agent holds follow every change (what a claim's capacity
// is checked against).
TEST(HumanQueue, HeldByAgentFollowsClaimsReleasesAndResolutions) {
  HumanQueue q;
  q.put(waiting("T-1", "c1", 0, 1000));
  q.put(waiting("T-2", "c2", 0, 2000));
  EXPECT_TRUE(q.held_by_agent().empty());
  ASSERT_TRUE(q.claim("T-1", "li"));
  ASSERT_TRUE(q.claim("T-2", "li"));
  EXPECT_EQ(q.held_by_agent().at("li"), 2);
  ASSERT_TRUE(q.add_line("T-2", {"buyer", "在吗", 3000}));
  EXPECT_EQ(q.held_by_agent().at("li"), 2) << "a change in place is not a new claim";
  ASSERT_TRUE(q.release("T-1", "li"));
  EXPECT_EQ(q.held_by_agent().at("li"), 1);
  ASSERT_TRUE(q.resolve("T-2"));
  EXPECT_TRUE(q.held_by_agent().empty());
}

TEST(HumanQueue, ReserveTakesOnlyTheNextNumber) {
  HumanQueue q;
  EXPECT_FALSE(q.reserve(2));
  EXPECT_TRUE(q.reserve(1));
  EXPECT_FALSE(q.reserve(1)) << "a number given twice";
  EXPECT_EQ(q.next_number(), 2u);
}

TEST(HumanQueue, NoticesAreDueOnceWithoutAgentReply) {
  HumanQueue q;
  q.put(waiting("T-1", "c1", 0, 0));
  q.put(waiting("T-2", "c2", 0, 50000));
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
// notice (resolved, notice sent, answered by an agent), and a ticket put back
// as it was is owed one still.
TEST(HumanQueue, DueNoticesFollowEveryChange) {
  HumanQueue q;
  // Ids appended, not `"T-" + std::to_string(i)`: GCC 12 warns -Wrestrict on that (a false positive).
  for (int i = 1; i <= 12; ++i) {
    const std::string n = std::to_string(i);
    q.put(waiting(std::string("T-").append(n), std::string("c").append(n), 0, 1000));
  }
  q.resolve("T-3");
  ASSERT_TRUE(q.mark_notice_sent("T-4"));
  ASSERT_TRUE(q.claim("T-5", "li"));
  ASSERT_TRUE(q.record_agent_reply("T-5", "li", "在的", 2000));
  q.put(*q.find("T-6"));  // put back as it was: still owed
  std::vector<std::string> due;
  for (const Ticket* t : q.due_notices(1000 + 120000, 120000)) due.push_back(t->id);
  EXPECT_EQ(due, (std::vector<std::string>{"T-1", "T-2", "T-6", "T-7", "T-8", "T-9", "T-10", "T-11", "T-12"}));
  q.put(waiting("T-13", "c13", 0, 5000));
  EXPECT_EQ(q.due_notices(1000 + 120000, 120000).size(), 9u);  // not yet due
}

TEST(HumanQueue, TranscriptIsCapped) {
  HumanQueue q;
  std::vector<TranscriptLine> lines;
  for (std::size_t i = 0; i < kMaxTranscript + 2; ++i) lines.push_back({"buyer", std::to_string(i), 1});
  q.put(waiting("T-1", "c1", 0, 0, lines));
  EXPECT_EQ(q.find("T-1")->transcript.size(), kMaxTranscript);
  EXPECT_EQ(q.find("T-1")->transcript.front().text, "2");
  q.add_line("T-1", {"buyer", "e", 5});
  EXPECT_EQ(q.find("T-1")->transcript.front().text, "3");
  EXPECT_EQ(q.find("T-1")->transcript.back().text, "e");
}

TEST(HumanQueue, PutKeepsEveryField) {
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
  t.channel = "taobao";
  t.buyer_nick = "nick";
  t.item_id = "item-1";
  q.put(t);
  const Ticket* r = q.find("T-7");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->state, TicketState::kClaimed);
  EXPECT_EQ(r->agent, "li");
  EXPECT_TRUE(r->notice_sent);
  EXPECT_EQ(r->last_agent_reply_ms, 99);
  EXPECT_EQ(r->channel, "taobao");
  EXPECT_EQ(r->buyer_nick, "nick");
  EXPECT_EQ(r->item_id, "item-1");
  EXPECT_EQ(r->number, 7u);
  EXPECT_EQ(q.next_number(), 8u);
  EXPECT_EQ(q.waiting(), 0u);
}

}  // namespace
}  // namespace xiaoer::queue
