// PushDelivery (issue 10, defects 1 and 2): pushes handed out at the pace
// a connection writes, in order per chat, kept until acknowledged on a
// connection that said hello, given back when a connection closes.
#include "daemon/app/push_delivery.hpp"
#include "tests/app/fakes.hpp"

#include <gtest/gtest.h>

#include <deque>

#include <nlohmann/json.hpp>

#include "daemon/proto/codec.hpp"

namespace xiaoer::app {
namespace {

using fakes::FakeConnection;
using fakes::FakeStore;

proto::Push push(const std::string& chat, int n) {
  return proto::AgentReplyFrame{chat, std::to_string(n), "li", "T-1", "P-" + chat + "-" + std::to_string(n)};
}

std::string text_of(const std::string& frame) {
  const auto answer = nlohmann::json::parse(frame);
  return answer["chat"].get<std::string>() + "/" + answer["text"].get<std::string>();
}

class PushDeliveryTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeConnection> gateway(std::uint64_t id) {
    auto c = std::make_shared<FakeConnection>(id);
    delivery_.open(c);
    return c;
  }

  FakeStore store_;
  common::Metrics metrics_;
  std::uint64_t route_ = 0;
  PushDelivery delivery_{store_, metrics_, [this](const std::string&) { return route_; }};
};

// Defect 1: 1,025 pushes waiting go to the next connection at most kWindow
// at a time, all of them, in order.
TEST_F(PushDeliveryTest, AnOutboxIsHandedOutAtThePaceOfTheWrites) {
  for (int i = 0; i < 1025; ++i) delivery_.add("c", push("c", i));
  EXPECT_EQ(delivery_.waiting(), 1025u);
  auto g = gateway(1);
  EXPECT_EQ(g->queued.size(), PushDelivery::kWindow);
  const std::vector<std::string> frames = g->write_all();
  ASSERT_EQ(frames.size(), 1025u);
  for (int i = 0; i < 1025; ++i) EXPECT_EQ(text_of(frames[i]), "c/" + std::to_string(i));
  EXPECT_EQ(delivery_.waiting(), 0u);
  EXPECT_TRUE(g->untracked.empty());
}

// A connection without hello: written is done (acknowledged in the store
// for it) once its first frame says so; dropped unwritten goes to the next.
TEST_F(PushDeliveryTest, APlainGatewaysWrittenPushesAreDoneAndDroppedOnesGoAgain) {
  for (int i = 0; i < 3; ++i) delivery_.add("c", push("c", i));
  auto g = gateway(1);
  g->write_one();
  EXPECT_TRUE(store_.acked.empty()) << "acknowledged before the connection's mode was known";
  EXPECT_TRUE(delivery_.decide(1, false));
  EXPECT_EQ(store_.acked, std::vector<std::string>{"P-c-0"});
  g->write_one(false);  // dropped: the connection is closing
  EXPECT_EQ(g->queued.size(), 1u) << "a push handed again to a closing connection";
  delivery_.close(1);
  auto next = gateway(2);
  const std::vector<std::string> frames = next->write_all();
  // The dropped one, and the one still queued on the closed connection.
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(text_of(frames[0]), "c/1");
  EXPECT_EQ(text_of(frames[1]), "c/2");
  // The old connection's last write ends after its close: ignored.
  g->write_all();
  EXPECT_EQ(delivery_.held(), 2u) << "the new connection's mode is not known yet";
}

// Defect 2: on a connection that said hello a push is kept until acked;
// at a close everything unacknowledged goes again, in order per chat, with
// the same push_id; an ack before the close is not sent again.
TEST_F(PushDeliveryTest, UnacknowledgedPushesGoAgainInOrderWithTheirIds) {
  for (int i = 0; i < 4; ++i) {
    delivery_.add("a", push("a", i));
    delivery_.add("b", push("b", i));
  }
  auto g = gateway(1);
  EXPECT_TRUE(delivery_.decide(1, true));
  EXPECT_FALSE(delivery_.decide(1, true)) << "a second hello decided again";
  EXPECT_EQ(g->write_all().size(), 8u);
  delivery_.ack({"P-a-0", "P-b-1"});
  EXPECT_EQ(store_.acked, (std::vector<std::string>{"P-a-0", "P-b-1"}));
  delivery_.close(1);
  auto next = gateway(2);
  delivery_.decide(2, true);
  std::vector<std::string> again;
  for (const std::string& frame : next->write_all()) {
    again.push_back(text_of(frame));
    const auto j = nlohmann::json::parse(frame);
    // push("a", 1) has the id P-a-1.
    EXPECT_EQ(j["push_id"], "P-" + j["chat"].get<std::string>() + "-" + j["text"].get<std::string>());
  }
  EXPECT_EQ(again, (std::vector<std::string>{"b/0", "a/1", "a/2", "b/2", "a/3", "b/3"}));
  EXPECT_EQ(metrics_.pushes_redelivered.value(), 6u);
}

// A chat's pushes stay on the connection that has its earlier ones; a
// push expired in the store is forgotten and counted.
TEST_F(PushDeliveryTest, AChatsPushesStayOnOneConnectionAndExpiredOnesAreForgotten) {
  auto one = gateway(1);
  auto two = gateway(2);
  delivery_.decide(1, true);
  delivery_.decide(2, true);
  route_ = 2;
  delivery_.add("c", push("c", 0));
  route_ = 1;  // the route moved, but push 0 is still on connection 2
  delivery_.add("c", push("c", 1));
  EXPECT_EQ(two->queued.size(), 2u);
  EXPECT_TRUE(one->queued.empty());
  store_.expiring = {"P-c-0", "P-c-1"};
  delivery_.tick(0, 1);
  EXPECT_EQ(delivery_.held(), 0u);
  EXPECT_EQ(metrics_.pushes_expired.value(), 2u);
  two->write_all();  // late writes of forgotten pushes change nothing
  EXPECT_EQ(delivery_.held(), 0u);
}

// Pushes the store kept (a restart) wait for the first connection.
TEST_F(PushDeliveryTest, RestoredPushesWaitForTheFirstConnection) {
  store_.kept = {{"P-1", "c", proto::encode(push("c", 7)), 0}};
  delivery_.restore();
  EXPECT_EQ(delivery_.waiting(), 1u);
  auto g = gateway(1);
  const std::vector<std::string> frames = g->write_all();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(text_of(frames[0]), "c/7");
}

}  // namespace
}  // namespace xiaoer::app
