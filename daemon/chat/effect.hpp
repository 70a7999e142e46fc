// Snapshot and Effect: what a decision reads and what it returns.
//
// DESIGN
// A message or an agent operation is decided by a pure function from a
// Snapshot (the chat, its open ticket and the chat's version, as the store
// holds them) to an Effect (a plain value: the chat and the ticket after,
// the changes to persist, and what to send once they are). Nothing shared
// is touched while deciding: the store commits the effect whole or refuses
// it (the chat changed since the snapshot: decide again; the store cannot
// persist it: `unavailable`), and only then is anything sent. So there is
// no undo anywhere: what was refused never happened.
//
// Thread safety: plain data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "daemon/chat/agent_event.hpp"
#include "daemon/chat/chat_state.hpp"
#include "daemon/chat/traffic_line.hpp"
#include "daemon/nlu/context.hpp"
#include "daemon/proto/frames.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::chat {

// What a decision reads: one chat as the store holds it.
struct Snapshot {
  std::string chat;
  // Changes with every commit to the chat or its ticket: an effect made
  // from an older snapshot is refused.
  std::uint64_t version = 0;
  ChatState state;                      // default for a chat not seen yet
  std::optional<queue::Ticket> ticket;  // the chat's open ticket
  // The ticket's place in the waiting line, or the place it would take if
  // released (filled by Store::load_ticket only: it costs a walk of the line).
  int ticket_position = 0;
  // Where a new ticket would stand: the number it would get and the
  // tickets waiting, by priority.
  std::uint64_t next_ticket_number = 1;
  std::map<int, std::size_t> waiting_by_priority;
  // Open chats each agent holds, counting the claims still being written:
  // what a claim or a transfer checks the taker's capacity against.
  std::map<std::string, int> held_by_agent;
};

// The changes to persist, in order: the journal writes one record each; a
// store in another process would apply them in one step.
namespace change {
struct Answered {  // a message answered (reply or handoff), with the chat's context after it
  std::string id;
  proto::Answer answer;
  nlu::Context context;
};
struct Resent {  // a resent id answered again from the window
  std::string id;
};
struct Held {  // a buyer's line joined the ticket, answered `hold`
  std::string id, ticket;
  queue::TranscriptLine line;
};
struct Opened {  // a ticket opened (the whole ticket)
  queue::Ticket ticket;
};
struct LineAdded {
  std::string ticket;
  queue::TranscriptLine line;
};
struct Claimed {
  std::string ticket, agent;
};
struct Released {
  std::string ticket, agent;
};
struct AgentReplied {
  std::string ticket, agent, text;
  std::int64_t ts = 0;
};
struct Resolved {
  std::string ticket;
  std::int64_t ts = 0;  // when (0 in journals written before it was kept)
};
struct NoticeSent {
  std::string ticket;
  std::int64_t ts = 0;
};
}  // namespace change

using Change = std::variant<change::Answered, change::Resent, change::Held, change::Opened, change::LineAdded,
                            change::Claimed, change::Released, change::AgentReplied, change::Resolved,
                            change::NoticeSent>;

// How much the sending waits on persisting.
enum class Durability {
  kRequired,    // sent only once durable; if it cannot be persisted, `unavailable`
  kBestEffort,  // sent even if it could not be persisted (bot replies, resends)
};

// What to send once the effect is committed, in this order: pushes to the
// gateway, the route closed, events to agents, the answer last (an agent
// that has its ok knows the buyer's frame is on its way).
struct Sends {
  std::vector<proto::Push> pushes;  // for the chat's gateway connection
  bool route_closed = false;        // the ticket is resolved: no more pushes
  std::vector<AgentEvent> events;  // shown only to agents connected
  std::optional<proto::Answer> answer;
};

// What the metrics count of a decision, once committed.
struct Counts {
  std::string answer_type;     // "reply", "handoff", "hold", "error"; "" for none
  std::string topic;           // the message's topic label; "" if not classified
  std::string handoff_reason;  // "" unless a ticket opened
  bool resend = false;
  bool notice = false;  // a courtesy notice: the ticket waited past queue.notice_after_s
  // The console's metrics: who took the ticket (claim, transfer), and the
  // ticket's first agent answer (ms after the handoff; -1: not one) and
  // whether it came after the SLA deadline.
  std::string taken_by;
  std::int64_t first_reply_ms = -1;
  bool sla_breach = false;
};

struct Effect {
  std::string chat;
  std::uint64_t version = 0;  // the snapshot's
  Durability durability = Durability::kRequired;
  std::optional<ChatState> state;  // the chat after; nullopt: unchanged
  // The chat's ticket after: put (opened or changed), or resolved.
  std::optional<queue::Ticket> ticket;
  std::string resolved_ticket;  // "" unless resolved
  std::vector<Change> changes;  // empty: nothing to persist
  Sends sends;
  Counts counts;
  // A message the engine answered, for the tuning loop (traffic sample,
  // recent messages); nullopt for a hold, a resend, a refusal.
  std::optional<TrafficLine> traffic;
  // The ticket goes to `agent` (a claim, a transfer, an assignment), who
  // holds at most `capacity` chats: the store refuses the commit
  // (kConflict) if, with the claims committed or being written since the
  // snapshot, it would pass that. Checked where it is committed, so two
  // claims at the same moment cannot both pass it.
  struct Taker {
    std::string agent;
    int capacity = 0;
  };
  std::optional<Taker> taker;

  // Whether committing it changes anything held.
  bool changes_state() const { return state.has_value() || ticket.has_value() || !resolved_ticket.empty(); }
};

}  // namespace xiaoer::chat
