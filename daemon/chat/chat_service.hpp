// ChatService: the per-message path and the agents' operations, over the
// chat table, the human queue and the journal.
//
// DESIGN
// A message for chat C: lock C's shard (so C's messages are handled one at
// a time, in order) → a resent id is answered from C's window → the rate
// limit → if C has a ticket, the message joins it (`hold`) → else the engine
// answers (reply) or hands off (a ticket opens, with C's recent lines).
// Every change is appended to the journal while the locks are held (so the
// journal's order is the order of changes), and the answer goes out from
// the journal's callback, once the change is durable: nothing is
// acknowledged that a kill -9 could lose. A resend appends a marker record
// for the same reason: its answer waits for everything before it.
// If the journal cannot write (disk full), a change to the queue (handoff,
// hold) is undone and the gateway gets an `unavailable` error to resend
// later; bot replies still go out, so the bot keeps serving.
//
// Lock order: chat shard, then queue. Callbacks run on the journal thread
// and take locks of their own; the journal never calls back under its lock.
//
// Thread safety: every public member may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/chat/chat_table.hpp"
#include "daemon/chat/outbound.hpp"
#include "daemon/common/metrics.hpp"
#include "daemon/engine/engine_store.hpp"
#include "daemon/proto/frames.hpp"
#include "daemon/queue/human_queue.hpp"
#include "daemon/queue/journal.hpp"

namespace xiaoer::chat {

struct ChatOptions {
  int answered_window = 8;
  int transcript_lines = 8;
  std::int64_t expire_after_ms = 3600 * 1000;
  double messages_per_second = 5;
  int burst = 10;
  std::int64_t notice_after_ms = 120 * 1000;
  std::int64_t compact_after_bytes = 64ll << 20;
};

class ChatService {
 public:
  // Receives the one answer frame (JSON text) for a message or command. May
  // run on any thread, including the journal's.
  using Answer = std::function<void(std::string frame)>;

  // Keeps references to every argument; they must outlive the service.
  // The journal is attached after replay (attach_journal) and must be
  // destroyed before the service: its last callbacks use the service.
  ChatService(engine::EngineStore& engines, Outbound& outbound, common::Metrics& metrics, const Clock& clock,
              ChatOptions options);

  // Start-up: applies one journal record (before attach_journal). Returns
  // false with `error` for a record it cannot apply.
  bool replay(std::string_view record, std::string* error);
  void attach_journal(queue::Journal& journal);

  void set_options(ChatOptions options);

  // The gateway's message; `answer` is called exactly once.
  void handle_message(const proto::InboundMessage& message, Answer answer);

  // An agent's command, as `agent`; `answer` gets an ok or error frame.
  void handle_agent(const proto::AgentCommand& command, const std::string& agent, Answer answer);

  // Every open ticket as agents see it, in line order.
  std::vector<proto::TicketView> tickets();

  // Periodic work (call about once a second): courtesy notices, chat
  // expiry, journal compaction.
  void tick();

  std::size_t queue_waiting();
  double oldest_waiting_seconds();
  std::size_t chats() { return chats_.size(); }

 private:

  ChatOptions options() const;
  proto::TicketView view(const queue::Ticket& ticket) const;
  void send_notices(std::int64_t now);
  void compact_if_due();
  void compacted(bool ok, std::chrono::steady_clock::time_point started, std::chrono::steady_clock::duration paused);
  void append(std::string record, queue::Journal::Done done);
  // An answer and the queue change it acknowledges, journalled together.
  struct Commit {
    std::vector<std::string> change;  // the queue's records, before the answer's
    std::string frame;                // the answer
    std::string type;                 // its type, for the metrics
    nlu::Context before;              // the chat's context before the message
    std::vector<queue::TranscriptLine> added_recent;  // lines added to the chat's recent lines
    std::function<void()> on_durable;  // after the answer is sent
    std::function<void()> undo_queue;  // undoes the queue change (takes the queue lock)
    bool must_be_durable = true;       // false: sent even if the journal fails
    bool answer_in_change = false;     // the change's record carries the answer (hold)
  };

  // Keeps the frame as the answer to m.id and appends the change and the
  // answer as one journal entry. Once durable the answer goes out; if the
  // journal fails and the answer `must_be_durable`, everything is undone
  // (the window, the context, the recent lines, the queue) and `answer`
  // gets an `unavailable` error. Called with the chat's shard locked.
  void commit_answer(const proto::InboundMessage& m, ChatState& chat, Commit commit, Answer answer);

  engine::EngineStore& engines_;
  Outbound& outbound_;
  common::Metrics& metrics_;
  const Clock& clock_;
  std::atomic<std::shared_ptr<const ChatOptions>> options_;
  queue::Journal* journal_ = nullptr;
  std::atomic<bool> compacting_{false};  // a compaction is queued or running
  std::atomic<std::int64_t> compaction_retry_at_ms_{0};  // after a failed one (disk full)

  ChatTable chats_;
  std::mutex queue_mutex_;
  queue::HumanQueue queue_;
};

}  // namespace xiaoer::chat
