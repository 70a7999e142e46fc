#include "daemon/chat/agent_operations.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "tests/test_intents.hpp"
#include "tests/test_support.hpp"

// The agents' decisions and the courtesy notice on plain values.
namespace xiaoer::chat {
namespace {

Snapshot with_ticket(queue::TicketState state = queue::TicketState::kWaiting, std::string agent = "") {
  Snapshot s;
  s.chat = "c1";
  s.version = 7;
  queue::Ticket t;
  t.id = "T-5";
  t.number = 5;
  t.chat = "c1";
  t.reason = "asked_for_human";
  t.opened_ms = 1000;
  t.state = state;
  t.agent = std::move(agent);
  t.channel = "taobao";
  s.ticket = t;
  s.ticket_position = 3;
  return s;
}

proto::AgentCommand command(proto::AgentOp op, std::string text = "") {
  proto::AgentCommand c;
  c.op = op;
  c.ticket = "T-5";
  c.text = std::move(text);
  c.request_id = "r1";
  return c;
}

proto::ErrorFrame refusal(const Effect& e) { return std::get<proto::ErrorFrame>(*e.sends.answer); }

TEST(AgentOperations, ClaimTakesAWaitingTicket) {
  const Effect e = decide_agent(with_ticket(), command(proto::AgentOp::kClaim), "li", 2000);
  EXPECT_EQ(e.version, 7u);
  EXPECT_EQ(e.durability, Durability::kRequired);
  ASSERT_TRUE(e.ticket);
  EXPECT_EQ(e.ticket->state, queue::TicketState::kClaimed);
  EXPECT_EQ(e.ticket->agent, "li");
  ASSERT_EQ(e.changes.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<change::Claimed>(e.changes[0]));
  const auto& ok = std::get<proto::AgentOkFrame>(*e.sends.answer);
  EXPECT_EQ(ok.request_id, "r1");
  EXPECT_EQ(ok.ticket->state, "claimed");
  EXPECT_EQ(ok.ticket->channel, "taobao");
  EXPECT_EQ(e.sends.events.at(0).kind, proto::TicketEventKind::kClaimed);
}

// A claim or a transfer to an agent at its capacity is refused; below it,
// the effect names the taker so the store checks again as it commits.
TEST(AgentOperations, ATakerAtItsCapacityIsRefused) {
  Snapshot s = with_ticket(queue::TicketState::kClaimed, "li");
  s.held_by_agent = {{"li", 1}, {"wang", 2}};
  proto::AgentCommand transfer = command(proto::AgentOp::kTransfer);
  transfer.to = "wang";
  EXPECT_NE(refusal(decide_agent(s, transfer, "li", 2000, false, 2)).message.find("capacity"), std::string::npos);
  const Effect e = decide_agent(s, transfer, "li", 2000, false, 3);
  ASSERT_TRUE(e.taker);
  EXPECT_EQ(e.taker->agent, "wang");
  EXPECT_EQ(e.taker->capacity, 3);
  Snapshot waiting = with_ticket();
  waiting.held_by_agent = {{"li", 1}};
  EXPECT_FALSE(decide_agent(waiting, command(proto::AgentOp::kClaim), "li", 2000, false, 1).ticket);
  EXPECT_TRUE(decide_agent(waiting, command(proto::AgentOp::kClaim), "li", 2000, false, 2).ticket);
  EXPECT_TRUE(decide_agent(waiting, command(proto::AgentOp::kClaim), "li", 2000).ticket) << "0: no limit";
}

TEST(AgentOperations, RefusalsChangeNothing) {
  const auto refused = [](const Effect& e) {
    EXPECT_FALSE(e.changes_state());
    EXPECT_TRUE(e.changes.empty());
    EXPECT_TRUE(e.sends.pushes.empty());
    EXPECT_TRUE(e.sends.events.empty());
    return refusal(e);
  };
  const Snapshot claimed = with_ticket(queue::TicketState::kClaimed, "li");
  EXPECT_EQ(refused(decide_agent(claimed, command(proto::AgentOp::kClaim), "wang", 0)).message,
            "ticket T-5 is already claimed by li");
  EXPECT_EQ(refused(decide_agent(claimed, command(proto::AgentOp::kRelease), "wang", 0)).message,
            "ticket T-5 is not claimed by wang");
  EXPECT_EQ(refused(decide_agent(with_ticket(), command(proto::AgentOp::kSend, "hi"), "li", 0)).message,
            "claim ticket T-5 before sending");
  EXPECT_EQ(refused(decide_agent(claimed, command(proto::AgentOp::kResolve), "wang", 0)).message,
            "ticket T-5 is claimed by li");
  EXPECT_EQ(refused(decide_agent(Snapshot{}, command(proto::AgentOp::kClaim), "li", 0)).message,
            "no open ticket T-5");
  EXPECT_EQ(refusal(decide_agent(claimed, command(proto::AgentOp::kClaim), "wang", 0)).code,
            proto::ErrorCode::kBadRequest);
}

TEST(AgentOperations, SendPushesTheTextToTheBuyer) {
  const Effect e =
      decide_agent(with_ticket(queue::TicketState::kClaimed, "li"), command(proto::AgentOp::kSend, "您好"), "li", 2000);
  ASSERT_EQ(e.sends.pushes.size(), 1u);
  const auto& pushed = std::get<proto::AgentReplyFrame>(e.sends.pushes[0]);
  EXPECT_EQ(pushed.chat, "c1");
  EXPECT_EQ(pushed.text, "您好");
  EXPECT_EQ(pushed.agent, "li");
  EXPECT_EQ(e.ticket->last_agent_reply_ms, 2000);
  EXPECT_EQ(e.ticket->transcript.back().text, "您好");
  EXPECT_EQ(e.sends.events.at(0).kind, proto::TicketEventKind::kUpdated);
}

TEST(AgentOperations, ReleasePutsItBackInItsPlace) {
  const Effect e =
      decide_agent(with_ticket(queue::TicketState::kClaimed, "li"), command(proto::AgentOp::kRelease), "li", 0);
  EXPECT_EQ(e.ticket->state, queue::TicketState::kWaiting);
  EXPECT_EQ(std::get<proto::AgentOkFrame>(*e.sends.answer).ticket->position, 3);
}

TEST(AgentOperations, ResolveClosesTheTicketAndTheRoute) {
  const Effect e = decide_agent(with_ticket(), command(proto::AgentOp::kResolve), "li", 0);
  EXPECT_EQ(e.resolved_ticket, "T-5");
  EXPECT_FALSE(e.ticket);
  EXPECT_TRUE(e.sends.route_closed);
  EXPECT_EQ(std::get<proto::AgentOkFrame>(*e.sends.answer).ticket->state, "resolved");
}

TEST(AgentOperations, ASupervisorReleasesAndResolvesAnyonesTicket) {
  const Snapshot claimed = with_ticket(queue::TicketState::kClaimed, "li");
  const Effect released = decide_agent(claimed, command(proto::AgentOp::kRelease), "wang", 0, true);
  ASSERT_TRUE(released.ticket);
  EXPECT_EQ(released.ticket->state, queue::TicketState::kWaiting);
  ASSERT_EQ(released.changes.size(), 1u);
  // Recorded as li's release: replay applies it by the same rule.
  EXPECT_EQ(std::get<change::Released>(released.changes[0]).agent, "li");
  EXPECT_EQ(decide_agent(claimed, command(proto::AgentOp::kResolve), "wang", 0, true).resolved_ticket, "T-5");
  // Sending stays the holder's alone.
  EXPECT_EQ(refusal(decide_agent(claimed, command(proto::AgentOp::kSend, "hi"), "wang", 0, true)).message,
            "claim ticket T-5 before sending");
}

TEST(AgentOperations, TransferHandsTheTicketToAnotherAgent) {
  proto::AgentCommand transfer = command(proto::AgentOp::kTransfer);
  transfer.to = "zhang";
  const Effect e = decide_agent(with_ticket(queue::TicketState::kClaimed, "li"), transfer, "li", 0);
  ASSERT_TRUE(e.ticket);
  EXPECT_EQ(e.ticket->agent, "zhang");
  EXPECT_EQ(e.ticket->state, queue::TicketState::kClaimed);
  ASSERT_EQ(e.changes.size(), 2u);
  EXPECT_EQ(std::get<change::Released>(e.changes[0]).agent, "li");
  EXPECT_EQ(std::get<change::Claimed>(e.changes[1]).agent, "zhang");
  EXPECT_EQ(e.sends.events.at(0).kind, proto::TicketEventKind::kTransferred);
  // Not the holder, not a supervisor: forbidden. A supervisor assigns even a waiting ticket.
  EXPECT_EQ(refusal(decide_agent(with_ticket(queue::TicketState::kClaimed, "li"), transfer, "wang", 0)).code,
            proto::ErrorCode::kForbidden);
  const Effect assigned = decide_agent(with_ticket(), transfer, "wang", 0, true);
  ASSERT_EQ(assigned.changes.size(), 1u);
  EXPECT_EQ(assigned.ticket->agent, "zhang");
  transfer.to = "li";
  EXPECT_FALSE(decide_agent(with_ticket(queue::TicketState::kClaimed, "li"), transfer, "li", 0).ticket);
}

TEST(AgentOperations, ANoteJoinsTheTicketAndIsNeverSent) {
  const Effect e = decide_agent(with_ticket(), command(proto::AgentOp::kNote, "买家是老客户"), "wang", 3000);
  ASSERT_TRUE(e.ticket);
  EXPECT_TRUE(e.sends.pushes.empty());
  const queue::TranscriptLine& line = e.ticket->transcript.back();
  EXPECT_EQ(line.from, "note");
  EXPECT_EQ(line.agent, "wang");
  EXPECT_EQ(line.text, "买家是老客户");
  EXPECT_TRUE(std::holds_alternative<change::LineAdded>(e.changes.at(0)));
}

TEST(AgentOperations, TheNoticeIsWrittenForTheTicketsChannel) {
  const testing::BuiltEngine built = testing::build_engine(testing::test_intent_files());
  ASSERT_NE(built.engine, nullptr) << testing::describe(built.diagnostics);
  const Snapshot s = with_ticket();
  EXPECT_FALSE(decide_notice(s, *built.engine, 1000 + 999, 1000)) << "before the wait";
  const std::optional<Effect> e = decide_notice(s, *built.engine, 1000 + 1000, 1000);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->sends.pushes.size(), 1u);
  const auto& notice = std::get<proto::NoticeFrame>(e->sends.pushes[0]);
  EXPECT_NE(notice.text.find("/:^_^"), std::string::npos) << "not the taobao emoji: " << notice.text;
  EXPECT_TRUE(e->ticket->notice_sent);
  EXPECT_EQ(e->ticket->transcript.back().from, "notice");
  EXPECT_TRUE(e->counts.notice) << "counted in xiaoer_queue_notices_total";
  EXPECT_EQ(e->durability, Durability::kRequired);

  Snapshot answered = s;
  answered.ticket->last_agent_reply_ms = 1500;
  EXPECT_FALSE(decide_notice(answered, *built.engine, 100'000, 1000));
  Snapshot sent = s;
  sent.ticket->notice_sent = true;
  EXPECT_FALSE(decide_notice(sent, *built.engine, 100'000, 1000));
}

// A buyer who was upset at the handoff is not smiled at while waiting.
TEST(AgentOperations, TheNoticeToAnUpsetBuyerHasNoSmiley) {
  const testing::BuiltEngine built = testing::build_engine(testing::test_intent_files());
  ASSERT_NE(built.engine, nullptr) << testing::describe(built.diagnostics);
  Snapshot s = with_ticket();
  s.ticket->upset = true;
  const std::optional<Effect> e = decide_notice(s, *built.engine, 1000 + 1000, 1000);
  ASSERT_TRUE(e);
  const auto& notice = std::get<proto::NoticeFrame>(e->sends.pushes.at(0));
  EXPECT_NE(notice.text.find("客服马上就来"), std::string::npos) << notice.text;
  EXPECT_EQ(notice.text.find("/:^_^"), std::string::npos) << notice.text;
}

}  // namespace
}  // namespace xiaoer::chat
