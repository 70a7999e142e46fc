// ChatService: the per-message path and the agents' operations, run:
// load a snapshot → decide → commit → send.
//
// DESIGN
// Where each step happens, one place each:
//   decided   chat/message_path.cpp (decide_message) and
//             chat/agent_operations.cpp (decide_agent, decide_notice):
//             pure functions from a chat::Snapshot to a chat::Effect;
//   committed store::Store::commit (here: store/journal/journal_store.cpp),
//             which applies the effect whole or refuses it;
//   sent      ChatService::send, in the commit's callback, through
//             chat::Outbound and the request's Answer callback (the app
//             encodes each value once, at the connection).
// An effect refused because the chat changed since its snapshot is decided
// again from a fresh one (a few times, then `unavailable`); one the store
// cannot persist is answered `unavailable` (bot replies still go out: they
// are best effort). Nothing is sent before the commit, and nothing is undone.
//
// Thread safety: every public member may be called from any thread; the
// callbacks run on the caller's thread or the store's.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/chat/assignment.hpp"
#include "daemon/chat/chat_options.hpp"
#include "daemon/chat/effect.hpp"
#include "daemon/chat/outbound.hpp"
#include "daemon/chat/traffic_line.hpp"
#include "daemon/common/metrics.hpp"
#include "daemon/engine/engine_store.hpp"
#include "daemon/proto/frames.hpp"
#include "daemon/store/store.hpp"

namespace xiaoer::service {

class ChatService {
 public:
  // Receives the one answer to a message or command. May run on any
  // thread, including the store's.
  using Answer = std::function<void(proto::Answer answer)>;

  // Keeps references to every argument; they must outlive the service.
  ChatService(engine::EngineStore& engines, store::Store& store, chat::Outbound& outbound, common::Metrics& metrics,
              const chat::Clock& clock, chat::ChatOptions options);

  void set_options(chat::ChatOptions options);

  // Hears every message the engine answered (null: none). Set before the
  // service serves; keeps the reference.
  void set_traffic_listener(chat::TrafficListener* listener) { traffic_listener_ = listener; }

  // The gateway's message (taken: the decision keeps it); `answer` is
  // called exactly once.
  void handle_message(proto::InboundMessage message, Answer answer);

  // An agent's command, as `agent` (a `supervisor` may act on others'
  // tickets); `answer` gets an ok, queue or error. `capacity`: the most
  // chats the agent taking the ticket (a claim's `agent`, a transfer's `to`)
  // holds, 0 for no limit; checked when the claim is committed.
  void handle_agent(const proto::AgentCommand& command, const std::string& agent, Answer answer,
                    bool supervisor = false, int capacity = 0);

  // Auto-assignment: waiting ticket `ticket` claimed for the best of
  // `candidates` (chat/assignment.hpp), within its capacity; `assigned` gets
  // the agent when it was (not called otherwise).
  void assign(const std::string& ticket, std::vector<chat::Candidate> candidates,
              std::function<void(const std::string& agent)> assigned);
  // `agent` is away past the grace period: the tickets it holds and has not
  // answered go back in line (those it answered stay its own).
  void release_unanswered(const std::string& agent);

  // Every open ticket as agents see it: waiting ones by time left to their
  // reply deadline, then claimed ones by the same.
  std::vector<proto::TicketView> tickets();
  // Open ticket `id` as agents see it, or nullopt; `shown` may run on the
  // store's thread.
  void ticket(const std::string& id, std::function<void(std::optional<proto::TicketView>)> shown);

  // What another daemon's commit sends through this one (a store shared
  // by several daemons): its pushes, the route closed, its events for the
  // agents here (decorated as this daemon's own are).
  void deliver(const std::string& chat, chat::Sends sends) { send(chat, std::move(sends), nullptr); }

  // Periodic work (call about once a second): courtesy notices, the
  // store's upkeep (chat expiry, journal compaction).
  void tick();

  std::size_t queue_waiting() { return store_.queue_waiting(); }
  // The engine in service (shop facts, compliance rules).
  std::shared_ptr<const engine::Engine> engine() { return engines_.snapshot(); }
  // Reply deadlines of today (the daemon's local day) missed, by open
  // tickets and those resolved today (chat::missed_deadlines): from the
  // tickets themselves, so a restart forgets none. Counted again at most
  // every few seconds (it walks today's history).
  std::int64_t sla_breaches_today();
  // Resolved tickets of the last `back_ms` matching `query` (chat, buyer
  // nick or id), newest first, as agents see them.
  std::vector<proto::TicketView> history(std::string_view query, std::int64_t back_ms, std::size_t limit);
  // Claimed tickets per agent (the open-chats metric, the supervisor view).
  std::map<std::string, double> open_chats_by_agent();
  double oldest_waiting_seconds();
  std::size_t chats() { return store_.chats(); }

 private:
  struct Request;

  chat::ChatOptions options() const;
  // Loads, decides and commits; sends once committed; again on a conflict.
  void run(std::shared_ptr<Request> request);
  void send(const std::string& chat, chat::Sends sends, const Answer& answer);
  void count(const chat::Counts& counts);
  // What the console adds to a ticket's view: the SLA deadline and the
  // bot's suggested reply to the buyer's last line.
  void decorate(proto::TicketView& ticket) const;

  engine::EngineStore& engines_;
  store::Store& store_;
  chat::Outbound& outbound_;
  common::Metrics& metrics_;
  const chat::Clock& clock_;
  std::atomic<std::shared_ptr<const chat::ChatOptions>> options_;
  chat::TrafficListener* traffic_listener_ = nullptr;

  static constexpr std::int64_t kBreachesTodayMaxAgeMs = 5'000;
  struct BreachesToday {
    std::int64_t day_start_ms = -1;
    std::int64_t counted_ms = 0;
    std::int64_t count = 0;
  };
  std::mutex breaches_mutex_;
  BreachesToday breaches_today_;
};

}  // namespace xiaoer::service
