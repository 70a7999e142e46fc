#include "daemon/store/journal/records.hpp"

#include <gtest/gtest.h>

namespace xiaoer::store::records {
namespace {

TEST(JournalRecords, AnswerRoundTripsWithContext) {
  nlu::Context context;
  context.awaiting = "size.recommend";
  context.slots.set("height", "165");
  context.unresolved = 1;
  context.replies = 7;
  const std::string line = answer("shop:b1", "m-1", R"({"type":"reply"})", context);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  std::string error;
  const auto r = parse(line, &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->type, "answer");
  EXPECT_EQ(r->chat, "shop:b1");
  EXPECT_EQ(r->frame, R"({"type":"reply"})");
  EXPECT_EQ(r->context, context);
}

TEST(JournalRecords, OpenCarriesTheWholeTicket) {
  queue::Ticket t;
  t.id = std::string("T-3");
  t.chat = std::string("c");
  t.reason = std::string("complaint");
  t.priority = 1;
  t.opened_ms = 5;
  t.state = queue::TicketState::kClaimed;
  t.agent = std::string("li");
  t.notice_sent = true;
  t.transcript = {{"buyer", "太差了\n真的", 4}};
  t.channel = "taobao";
  t.buyer_nick = "买家甲";
  t.item_id = "item-42";
  t.upset = true;
  t.last_agent_reply_ms = 9;
  t.transcript.push_back({"agent", "亲，马上处理", 8});
  std::string error;
  const auto r = parse(open(t), &error);
  ASSERT_TRUE(r) << error;
  // Every field a replay needs, not a few (issue 10, defect 8); the number
  // is given by the queue at replay, from the order of the records.
  const queue::Ticket& back = r->full;
  EXPECT_EQ(back.chat, t.chat);
  EXPECT_EQ(back.reason, t.reason);
  EXPECT_EQ(back.priority, t.priority);
  EXPECT_EQ(back.opened_ms, t.opened_ms);
  EXPECT_EQ(back.last_agent_reply_ms, t.last_agent_reply_ms);
  EXPECT_EQ(back.transcript, t.transcript);
  EXPECT_EQ(back.item_id, t.item_id);
  EXPECT_EQ(back.upset, t.upset);
  EXPECT_EQ(r->full.id, "T-3");
  EXPECT_EQ(r->full.state, queue::TicketState::kClaimed);
  EXPECT_EQ(r->full.agent, "li");
  EXPECT_TRUE(r->full.notice_sent);
  ASSERT_EQ(r->full.transcript.size(), 2u);
  EXPECT_EQ(r->full.transcript[0].text, "太差了\n真的");
  EXPECT_EQ(r->full.channel, "taobao");
  EXPECT_EQ(r->full.buyer_nick, "买家甲");
  EXPECT_EQ(r->full.item_id, "item-42");
  EXPECT_TRUE(r->full.upset);
}

// Journals written before tickets carried the buyer's channel and meta.
// A resolved ticket kept for the history (written by compaction): the whole
// ticket, its meta and when it was resolved.
TEST(JournalRecords, DoneCarriesTheTicketAndWhenItWasResolved) {
  queue::Ticket t;
  t.id = "T-8";
  t.chat = "c";
  t.buyer_nick = "买家乙";
  t.meta = {{"order_id", "O-1"}};
  t.transcript = {{"buyer", "转人工", 4}, {"agent", "好的", 6, "li"}};
  std::string error;
  const auto r = parse(done(t, 99), &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->type, "done");
  EXPECT_EQ(r->resolved_ts, 99);
  EXPECT_EQ(r->full.id, "T-8");
  EXPECT_EQ(r->full.meta, t.meta);
  EXPECT_EQ(r->full.transcript, t.transcript);
  const auto resolved = parse(of("c", chat::change::Resolved{"T-8", 77}), &error);
  ASSERT_TRUE(resolved) << error;
  EXPECT_EQ(resolved->ts, 77);
}

TEST(JournalRecords, OpenWithoutChannelOrMetaStillParses) {
  const std::string old_record =
      R"({"t":"open","ticket":"T-1","chat":"c","reason":"complaint","priority":1,"ts":5,"state":"waiting",)"
      R"("agent":"","notice_sent":false,"last_agent_reply_ms":0,"transcript":[]})";
  std::string error;
  const auto r = parse(old_record, &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->full.id, "T-1");
  EXPECT_EQ(r->full.channel, "");
  EXPECT_EQ(r->full.buyer_nick, "");
  EXPECT_FALSE(r->full.upset);
}

// Each change of an effect is one record, read back as the same change.
TEST(JournalRecords, ChangesBecomeTheirRecords) {
  std::string error;
  const auto held = parse(of("c", chat::change::Held{"m-1", "T-2", {"buyer", "在吗", 9}}), &error);
  ASSERT_TRUE(held) << error;
  EXPECT_EQ(held->type, "hold");
  EXPECT_EQ(held->ticket, "T-2");
  const auto answered =
      parse(of("c", chat::change::Answered{"m-2", proto::HoldFrame{"m-2", "c", "T-2"}, {}}), &error);
  ASSERT_TRUE(answered) << error;
  EXPECT_EQ(answered->frame, R"({"type":"hold","in_reply_to":"m-2","chat":"c","ticket":"T-2"})");
  const auto replied = parse(of("c", chat::change::AgentReplied{"T-2", "li", "您好", 10}), &error);
  ASSERT_TRUE(replied) << error;
  EXPECT_EQ(replied->type, "agent_reply");
  EXPECT_EQ(replied->agent, "li");
}

TEST(JournalRecords, HoldCarriesTheLineAndTheAnswer) {
  std::string error;
  const auto r = parse(hold("c", "m-9", "T-4", {"buyer", "还在吗", 77}), &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->type, "hold");
  EXPECT_EQ(r->chat, "c");
  EXPECT_EQ(r->id, "m-9");
  EXPECT_EQ(r->ticket, "T-4");
  EXPECT_EQ(r->text, "还在吗");
  EXPECT_EQ(r->ts, 77);
}

TEST(JournalRecords, RejectsWhatIsNotARecord) {
  std::string error;
  EXPECT_FALSE(parse("not json", &error));
  EXPECT_FALSE(parse(R"({"t":"explode"})", &error));
  EXPECT_NE(error.find("unknown record type"), std::string::npos);
  EXPECT_FALSE(parse(R"({"t":"claim"})", &error));
  EXPECT_NE(error.find("missing a field"), std::string::npos);
  EXPECT_TRUE(parse(claim("T-1", "li"), &error));
}

}  // namespace
}  // namespace xiaoer::store::records
