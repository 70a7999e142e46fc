#include "daemon/chat/message_path.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "tests/test_intents.hpp"
#include "tests/test_support.hpp"

// The per-message decision on plain values: no store, no journal, no threads.
namespace xiaoer::chat {
namespace {

class MessagePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    built_ = testing::build_engine(testing::test_intent_files());
    ASSERT_NE(built_.engine, nullptr) << testing::describe(built_.diagnostics);
  }

  Effect decide(const Snapshot& s, const std::string& id, const std::string& text, int minute = 12 * 60) {
    proto::InboundMessage m;
    m.id = id;
    m.chat = s.chat;
    m.text = text;
    m.channel = "taobao";
    m.buyer_nick = "买家甲";
    m.item_id = "item-7";
    return decide_message(s, m, MessageInputs{*built_.engine, options_, now_, minute});
  }

  Snapshot fresh() const {
    Snapshot s;
    s.chat = "c1";
    s.version = 41;
    return s;
  }

  testing::BuiltEngine built_;
  ChatOptions options_;
  std::int64_t now_ = 1'000'000;
};

TEST_F(MessagePathTest, AReplyChangesTheChatOnlyAndIsBestEffort) {
  const Effect e = decide(fresh(), "m1", "发什么快递");
  EXPECT_EQ(e.chat, "c1");
  EXPECT_EQ(e.version, 41u) << "the effect names the snapshot it was made from";
  EXPECT_EQ(e.durability, Durability::kBestEffort);
  ASSERT_TRUE(e.sends.answer);
  const auto* reply = std::get_if<proto::ReplyFrame>(&*e.sends.answer);
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->intents.at(0), "shipping.courier");
  ASSERT_TRUE(e.state);
  EXPECT_EQ(e.state->answered.back()->id, "m1");
  ASSERT_EQ(e.state->recent.size(), 2u);  // the buyer's line and the bot's
  EXPECT_FALSE(e.ticket);
  ASSERT_EQ(e.changes.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<change::Answered>(e.changes[0]));
  EXPECT_EQ(e.counts.answer_type, "reply");
  EXPECT_EQ(e.counts.topic, "shipping");
}

TEST_F(MessagePathTest, AHandoffOpensTheNextTicketBehindThoseWaiting) {
  Snapshot s = fresh();
  s.next_ticket_number = 9;
  s.waiting_by_priority = {{0, 2}, {1, 1}};
  const Effect e = decide(s, "m1", "转人工");
  EXPECT_EQ(e.durability, Durability::kRequired);
  ASSERT_TRUE(e.ticket);
  EXPECT_EQ(e.ticket->id, "T-9");
  EXPECT_EQ(e.ticket->number, 9u);
  EXPECT_EQ(e.ticket->channel, "taobao");
  EXPECT_EQ(e.ticket->buyer_nick, "买家甲");
  EXPECT_EQ(e.ticket->item_id, "item-7");
  const auto& handoff = std::get<proto::HandoffFrame>(*e.sends.answer);
  EXPECT_EQ(handoff.ticket, "T-9");
  EXPECT_EQ(handoff.position, 4) << "behind three waiting tickets";
  EXPECT_NE(handoff.text.find("您排在第4位"), std::string::npos);
  ASSERT_EQ(e.changes.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<change::Opened>(e.changes[0]));
  EXPECT_TRUE(std::holds_alternative<change::Answered>(e.changes[1]));
  ASSERT_EQ(e.sends.events.size(), 1u);
  EXPECT_EQ(e.sends.events[0].kind, proto::TicketEventKind::kOpened);
  EXPECT_EQ(e.sends.events[0].view().position, 4);
  EXPECT_EQ(e.sends.events[0].view().buyer_nick, "买家甲");
  EXPECT_EQ(e.counts.handoff_reason, "asked_for_human");
  EXPECT_FALSE(e.ticket->upset);
}

TEST_F(MessagePathTest, AComplaintGoesAheadOfOrdinaryTickets) {
  Snapshot s = fresh();
  s.waiting_by_priority = {{0, 5}};
  const Effect e = decide(s, "m1", "我要投诉");
  EXPECT_EQ(std::get<proto::HandoffFrame>(*e.sends.answer).position, 1);
  EXPECT_EQ(e.ticket->priority, 1);
  EXPECT_TRUE(e.ticket->upset) << "its courtesy notice must not smile";
}

TEST_F(MessagePathTest, OutOfHoursTheHandoffSaysSo) {
  const Effect e = decide(fresh(), "m1", "转人工", 3 * 60);
  EXPECT_NE(std::get<proto::HandoffFrame>(*e.sends.answer).text.find("现在是下班时间"), std::string::npos);
}

TEST_F(MessagePathTest, WithATicketTheLineJoinsItAndTheEngineIsNotAsked) {
  Snapshot s = fresh();
  s.ticket = queue::Ticket{};
  s.ticket->id = "T-3";
  s.ticket->chat = "c1";
  const Effect e = decide(s, "m2", "发什么快递");
  EXPECT_EQ(e.durability, Durability::kRequired);
  const auto& hold = std::get<proto::HoldFrame>(*e.sends.answer);
  EXPECT_EQ(hold.ticket, "T-3");
  ASSERT_TRUE(e.ticket);
  ASSERT_EQ(e.ticket->transcript.size(), 1u);
  EXPECT_EQ(e.ticket->transcript[0].text, "发什么快递");
  ASSERT_EQ(e.changes.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<change::Held>(e.changes[0]));
  EXPECT_EQ(e.counts.topic, "") << "classified although a human has the chat";
  EXPECT_EQ(e.state->context, s.state.context);
}

TEST_F(MessagePathTest, AResentIdGetsTheSameAnswerAndChangesNothing) {
  Snapshot s = fresh();
  s.state.answered.push_back(make_answered("m1", proto::ReplyFrame{"m1", "c1", "亲，发中通", {"shipping.courier"}, 0.9}));
  const Effect e = decide(s, "m1", "whatever the text");
  EXPECT_FALSE(e.changes_state());
  EXPECT_EQ(e.durability, Durability::kBestEffort);
  EXPECT_EQ(std::get<proto::ReplyFrame>(*e.sends.answer).text, "亲，发中通");
  ASSERT_EQ(e.changes.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<change::Resent>(e.changes[0]));
  EXPECT_TRUE(e.counts.resend);
}

TEST_F(MessagePathTest, OverTheRateIsRefusedWithoutAChange) {
  options_.burst = 1;
  options_.messages_per_second = 1;
  Snapshot s = fresh();
  s.state.tokens = 0.5;
  s.state.refilled_ms = now_;
  const Effect e = decide(s, "m1", "发什么快递");
  EXPECT_FALSE(e.changes_state());
  EXPECT_TRUE(e.changes.empty());
  EXPECT_EQ(std::get<proto::ErrorFrame>(*e.sends.answer).code, proto::ErrorCode::kRateLimited);
}

TEST_F(MessagePathTest, TheAnsweredWindowKeepsItsSize) {
  options_.answered_window = 2;
  Snapshot s = fresh();
  s.state.answered.push_back(make_answered("a", proto::HoldFrame{"a", "c1", "T-1"}));
  s.state.answered.push_back(make_answered("b", proto::HoldFrame{"b", "c1", "T-1"}));
  const Effect e = decide(s, "m3", "发什么快递");
  ASSERT_EQ(e.state->answered.size(), 2u);
  EXPECT_EQ(e.state->answered[0]->id, "b");
  EXPECT_EQ(e.state->answered[1]->id, "m3");
}

}  // namespace
}  // namespace xiaoer::chat
