// Protocol v1 frames (docs/protocol.md): plain structs, one per frame type.
//
// The gateway sends `message` frames; the daemon answers each with exactly
// one of reply / handoff / hold / error (carrying `in_reply_to`), and later
// pushes agent_reply and notice frames. Agents speak the agent frames.
//
// Plain data; the only code that turns them into JSON and back is codec.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace xiaoer::proto {

// ---- gateway → daemon -----------------------------------------------------

struct InboundMessage {
  std::string id;       // unique per message (required)
  std::string chat;     // "shop7:buyer42" (required)
  std::string text;     // UTF-8 (required)
  std::int64_t ts = 0;  // ms since the epoch, 0 when absent
  std::string channel;  // "taobao", … ("" when absent)
  std::string buyer_nick;  // meta.buyer_nick, "" when absent
  std::string item_id;     // meta.item_id, "" when absent
  // meta's other keys, by key (decode_gateway_frame's rule 9).
  std::vector<std::pair<std::string, std::string>> meta;
};

// ---- daemon → gateway -----------------------------------------------------

enum class ErrorCode {
  kBadJson,
  kBadRequest,
  kBadUtf8,
  kTooLarge,
  kRateLimited,
  kUnsupported,
  kUnavailable,
  kUnauthorized,  // no valid credentials (HTTP 401)
  kForbidden,     // valid, but not allowed: acting as another agent, not a supervisor (HTTP 403)
};
std::string_view to_string(ErrorCode code);

struct ReplyFrame {
  std::string in_reply_to, chat, text;
  std::vector<std::string> intents;
  double confidence = 0;
};

struct HandoffFrame {
  std::string in_reply_to, chat, text, ticket, reason;
  int position = 0;  // 1 = next in line
};

struct HoldFrame {
  std::string in_reply_to, chat, ticket;
};

struct ErrorFrame {
  std::string in_reply_to;  // "" when the frame had no readable id
  ErrorCode code = ErrorCode::kBadRequest;
  std::string message;
};

// A human agent's text for the buyer. push_id: given by the store when the
// push is committed ("" before), unique within the store.
struct AgentReplyFrame {
  std::string chat, text, agent, ticket;
  std::string push_id;
};

// An automatic courtesy text while a ticket waits.
struct NoticeFrame {
  std::string chat, text, ticket;
  std::string push_id;
};

// ---- push acknowledgements (gateway → daemon) -----------------------------

// {"type":"hello","acks":true}: the first frame of a gateway connection that
// acknowledges pushes (a connection without it gets no redelivery).
struct HelloFrame {
  bool acks = false;
};

// {"type":"ack","push_ids":["P-1",…]}: pushes the gateway has taken.
struct AckFrame {
  std::vector<std::string> push_ids;
};

// ---- agents ---------------------------------------------------------------

enum class AgentOp { kList, kClaim, kRelease, kResolve, kSend, kTransfer, kNote };
std::string_view to_string(AgentOp op);

// {"type":"claim","ticket":"T-1","request_id":"r1"}, {"type":"send","ticket":…,"text":…}
struct AgentCommand {
  AgentOp op = AgentOp::kList;
  std::string ticket;      // all but list
  std::string text;        // send
  std::string request_id;  // echoed in the answer, optional
  std::string agent;       // the acting agent's name, optional ("" when absent)
  std::string to = {};     // transfer: the agent who takes the ticket
};

// The console's login: POST /v1/login {"agent":…, "secret":…}.
struct LoginRequest {
  std::string agent, secret;
};

// Who the caller is: GET /v1/me, and the answer to a login.
struct MeFrame {
  std::string agent;
  bool supervisor = false;
  bool service = false;
};

struct TranscriptEntry {
  std::string from;  // "buyer", "bot", "agent", "notice", "note"
  std::string text;
  std::int64_t ts = 0;
  std::string agent = {};  // who wrote an agent line or a note ("" for the others)
};

// What an agent sees of a ticket.
struct TicketView {
  std::string id, chat, reason, state, agent;  // state: "waiting" | "claimed" | "resolved"; agent "" if unclaimed
  int priority = 0;                            // higher first
  int position = 0;                            // in the waiting line; 0 once claimed
  std::int64_t opened_ms = 0;
  std::string channel, buyer_nick, item_id;  // from the message that handed off ("" when absent)
  std::vector<std::pair<std::string, std::string>> meta;  // that message's other meta keys
  std::vector<TranscriptEntry> transcript;
  // The reply deadline (SLA) of the buyer's oldest unanswered message, ms
  // since the epoch; 0 when no buyer message waits for an agent.
  std::int64_t deadline_ms = 0;
  std::string suggestion = {};  // the bot's reply to the buyer's last message ("" if none)
};

// An agent command done: {"type":"ok","op",…}.
struct AgentOkFrame {
  AgentOp op = AgentOp::kList;
  std::string request_id;
  // The ticket after the command; shared, since a TicketView is ~370 bytes
  // and inline it would more than double the size of every Answer (each
  // chat keeps its last answers).
  std::shared_ptr<const TicketView> ticket;
};

// The answer to `list`.
struct QueueFrame {
  std::vector<TicketView> tickets;
};

// ---- typed values across layers ---------------------------------------------
// The chat service hands these to the app, which encodes each once, where it
// is written (the connection, the HTTP response). Nothing reads a frame's
// bytes to learn what it is: the variant's alternative says it.

// The one answer to a gateway message (reply, handoff, hold, error) or to an
// agent command (ok, queue, error).
using Answer = std::variant<ReplyFrame, HandoffFrame, HoldFrame, ErrorFrame, AgentOkFrame, QueueFrame>;

// Whether the answer leaves the buyer's chat with a human: later pushes
// (agent replies, notices) follow it.
bool hands_to_human(const Answer& answer);
// The error code of an error answer, nullopt for any other.
std::optional<ErrorCode> error_code(const Answer& answer);

// What is pushed to the gateway later, unasked.
using Push = std::variant<AgentReplyFrame, NoticeFrame>;
// The push's id ("" until the store gave it one), and setting it.
const std::string& push_id(const Push& push);
void set_push_id(Push& push, std::string id);

// A live change of the queue for every connected agent.
enum class TicketEventKind { kOpened, kUpdated, kClaimed, kReleased, kResolved, kTransferred };
std::string_view to_string(TicketEventKind kind);

struct TicketEvent {
  TicketEventKind kind = TicketEventKind::kUpdated;
  TicketView ticket;
};

}  // namespace xiaoer::proto
