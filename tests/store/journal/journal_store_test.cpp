#include "daemon/store/journal/journal_store.hpp"
#include "tests/test_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <unistd.h>

// The journal store's commit: whole or refused, never half, never undone.
namespace xiaoer::store {
namespace {

namespace fs = std::filesystem;

class FixedClock final : public chat::Clock {
 public:
  std::int64_t now_ms() const override { return 1'000'000; }
  int minute_of_day() const override { return 12 * 60; }
};

class JournalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("xiaoer-store-");
    start();
  }
  void TearDown() override {
    journal_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  void start() {
    journal_.reset();
    store_ = std::make_unique<JournalStore>(metrics_, clock_, JournalStoreOptions{});
    ReplayReport report;
    std::string error;
    journal_ = Journal::open(
        {(dir_ / "journal.log").string()},
        [this](std::string_view record) {
          std::string why;
          EXPECT_TRUE(store_->replay(record, &why)) << why;
        },
        &report, &error);
    ASSERT_NE(journal_, nullptr) << error;
    store_->attach(*journal_);
  }

  chat::Snapshot load(const std::string& chat) {
    std::promise<chat::Snapshot> loaded;
    store_->load(chat, [&](chat::Snapshot s) { loaded.set_value(std::move(s)); });
    return loaded.get_future().get();
  }

  chat::Snapshot load_ticket(const std::string& ticket) {
    std::promise<chat::Snapshot> loaded;
    store_->load_ticket(ticket, [&](chat::Snapshot s) { loaded.set_value(std::move(s)); });
    return loaded.get_future().get();
  }

  CommitResult commit(chat::Effect effect) {
    std::promise<CommitResult> done;
    store_->commit(std::move(effect), [&](CommitResult r) { done.set_value(r); });
    return done.get_future().get();
  }

  // Opens ticket T-<next> for `chat` as a handoff would.
  chat::Effect opening(const chat::Snapshot& s) {
    chat::Effect e;
    e.chat = s.chat;
    e.version = s.version;
    queue::Ticket t;
    t.number = s.next_ticket_number;
    t.id = queue::ticket_id(t.number);
    t.chat = s.chat;
    t.reason = "asked_for_human";
    t.channel = "taobao";
    e.ticket = t;
    e.state = s.state;
    e.changes.emplace_back(chat::change::Opened{t});
    return e;
  }

  // The buyer's line joins the ticket (a hold).
  chat::Effect holding(const chat::Snapshot& s, const std::string& id, const std::string& text) {
    chat::Effect e;
    e.chat = s.chat;
    e.version = s.version;
    queue::Ticket t = *s.ticket;
    const queue::TranscriptLine line{"buyer", text, 5};
    queue::add_line(t, line);
    e.ticket = t;
    e.state = s.state;
    e.state->answered.emplace_back(id, proto::HoldFrame{id, s.chat, t.id});
    e.changes.emplace_back(chat::change::Held{id, t.id, line});
    return e;
  }

  chat::Effect claiming(const chat::Snapshot& s, const std::string& agent) {
    chat::Effect e;
    e.chat = s.chat;
    e.version = s.version;
    queue::Ticket t = *s.ticket;
    EXPECT_TRUE(queue::claim(t, agent));
    e.ticket = t;
    e.changes.emplace_back(chat::change::Claimed{t.id, agent});
    return e;
  }

  FixedClock clock_;
  common::Metrics metrics_;
  fs::path dir_;
  std::unique_ptr<JournalStore> store_;
  std::unique_ptr<Journal> journal_;
};

// An agent's claim decided on a snapshot taken before the buyer's message
// joined the ticket: committing it as it stands would put back the ticket
// without that line. It is refused, and nothing is overwritten. (The old
// code restored such a stale copy when the journal refused a change.)
TEST_F(JournalStoreTest, AnEffectFromAStaleSnapshotIsRefusedAndOverwritesNothing) {
  ASSERT_EQ(commit(opening(load("c1"))), CommitResult::kCommitted);
  const chat::Snapshot agent_view = load_ticket("T-1");
  ASSERT_TRUE(agent_view.ticket);

  ASSERT_EQ(commit(holding(load("c1"), "m2", "还在吗")), CommitResult::kCommitted);
  EXPECT_EQ(commit(claiming(agent_view, "li")), CommitResult::kConflict);

  const chat::Snapshot now = load("c1");
  ASSERT_TRUE(now.ticket);
  EXPECT_EQ(now.ticket->transcript.back().text, "还在吗") << "the buyer's line was overwritten";
  EXPECT_EQ(now.ticket->state, queue::TicketState::kWaiting);
  // Decided again from a fresh snapshot, the claim keeps the line.
  ASSERT_EQ(commit(claiming(load_ticket("T-1"), "li")), CommitResult::kCommitted);
  const chat::Snapshot after = load("c1");
  EXPECT_EQ(after.ticket->agent, "li");
  EXPECT_EQ(after.ticket->transcript.back().text, "还在吗");

  start();  // the journal says the same
  const chat::Snapshot replayed = load("c1");
  ASSERT_TRUE(replayed.ticket);
  EXPECT_EQ(replayed.ticket->agent, "li");
  EXPECT_EQ(replayed.ticket->transcript.back().text, "还在吗");
  EXPECT_EQ(replayed.ticket->channel, "taobao");
}

// Two chats handed off from snapshots that both saw number 1 free: one gets
// it, the other decides again and gets number 2.
TEST_F(JournalStoreTest, ATicketNumberIsGivenOnce) {
  const chat::Effect first = opening(load("c1"));
  const chat::Effect second = opening(load("c2"));
  ASSERT_EQ(first.ticket->id, second.ticket->id);
  EXPECT_EQ(commit(first), CommitResult::kCommitted);
  EXPECT_EQ(commit(second), CommitResult::kConflict);
  const chat::Snapshot again = load("c2");
  EXPECT_EQ(again.next_ticket_number, 2u);
  EXPECT_EQ(again.waiting_by_priority.at(0), 1u);
  EXPECT_EQ(commit(opening(again)), CommitResult::kCommitted);
  EXPECT_EQ(store_->tickets().size(), 2u);
}

// A best-effort effect (a bot reply) is applied at once; its version moves.
TEST_F(JournalStoreTest, EveryCommitMovesTheChatsVersion) {
  const chat::Snapshot before = load("c1");
  chat::Effect reply;
  reply.chat = "c1";
  reply.version = before.version;
  reply.durability = chat::Durability::kBestEffort;
  reply.state = before.state;
  reply.state->answered.emplace_back("m1", proto::ReplyFrame{"m1", "c1", "亲", {}, 1});
  reply.changes.emplace_back(chat::change::Answered{"m1", reply.state->answered.back().second, {}});
  ASSERT_EQ(commit(reply), CommitResult::kCommitted);
  const chat::Snapshot after = load("c1");
  EXPECT_NE(after.version, before.version);
  ASSERT_EQ(after.state.answered.size(), 1u);
  EXPECT_EQ(commit(reply), CommitResult::kConflict) << "the same effect committed twice";
}

// A change to nothing held (a refusal) is never a conflict.
TEST_F(JournalStoreTest, AnEffectThatChangesNothingIsCommittedAsIs) {
  chat::Effect nothing;
  nothing.chat = "c1";
  nothing.version = 12345;
  EXPECT_EQ(commit(nothing), CommitResult::kCommitted);
}

}  // namespace
}  // namespace xiaoer::store
