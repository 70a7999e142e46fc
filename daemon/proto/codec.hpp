// Codec: protocol v1 frames ⇄ JSON text (docs/protocol.md). The only user of
// nlohmann/json on the hot path. Never throws: malformed input becomes an
// ErrorFrame, and every encoder replaces invalid UTF-8 in its strings with
// U+FFFD instead of failing.
//
// Thread safety: stateless free functions; call from any thread. Nothing
// keeps a reference to its arguments.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/proto/frames.hpp"

namespace xiaoer::proto {

struct DecodeLimits {
  std::size_t max_text_bytes = 4096;  // of `text`, in bytes (after JSON unescaping)
  std::size_t max_id_bytes = 256;     // of `id`, `chat`, `ticket`, `request_id`, `agent`
};

// Frames nested deeper than this many arrays/objects are rejected (kBadJson,
// "nesting too deep") by a byte scan before any parsing.
inline constexpr int kMaxJsonNesting = 64;
// The gateway's own meta keys kept per message (rule 9 below).
inline constexpr std::size_t kMaxMetaKeys = 16;

// A gateway frame: a message, or the error to answer with.
//
// Checks, in this order (the first failure is the answer):
//   1. the bytes are valid UTF-8                      else kBadUtf8
//   2. nesting depth ≤ kMaxJsonNesting                else kBadJson "nesting too deep"
//   3. the frame is one JSON value                    else kBadJson (with the parser's reason)
//   4. it is an object                                else kBadRequest
//   5. "type" is the string "message"                 else kBadRequest "missing 'type'" /
//                                                          "unknown frame type '…'"
//   6. id, chat: non-empty strings ≤ max_id_bytes     else kBadRequest naming the field
//   7. text: a string ≤ max_text_bytes (may be "")    else kBadRequest, or kTooLarge if too long
//   8. ts: an integer ≥ 0; channel: a string; meta: an object whose buyer_nick and
//      item_id, when present, are strings           else kBadRequest naming the field
//   9. meta's other keys are kept (InboundMessage::meta): a string value as it
//      is, any other as its JSON text; the first kMaxMetaKeys of them, each
//      key and value ≤ max_id_bytes (a longer one is left out, not refused)
// A field whose value is null counts as absent. Unknown fields are ignored.
// The error's in_reply_to is the frame's `id` whenever that is a non-empty
// string (even when the error is about another field, and even in a frame
// with invalid UTF-8 elsewhere), "" otherwise.
//
// Push acknowledgements (docs/protocol.md), after steps 1–4:
//   {"type":"hello","acks":bool}   acks: a boolean, false when absent
//   {"type":"ack","push_ids":[…]}  a non-empty array of non-empty strings,
//                                  each ≤ max_id_bytes
// else kBadRequest naming the field (in_reply_to "").
using GatewayFrame = std::variant<InboundMessage, ErrorFrame, HelloFrame, AckFrame>;
GatewayFrame decode_gateway_frame(std::string_view frame, const DecodeLimits& limits);
// The same without its fast path for the everyday message frame
// (decode_plain_message): the reference that path is checked against.
GatewayFrame decode_gateway_frame_in_full(std::string_view frame, const DecodeLimits& limits);
// Rule 9 for one of meta's other keys, the keys taken in order: a key or a
// text longer than max_id_bytes is left out; false once kMaxMetaKeys are
// kept (take no more). Both decoders keep meta with it.
bool keep_meta(InboundMessage& message, std::string key, std::string text, const DecodeLimits& limits);

// An agent frame (on /v1/agent): a command, or the error to answer with.
//   {"type":"list"|"claim"|"release"|"resolve"|"send", "ticket":…, "text":…,
//    "request_id":…, "agent":…}
// Steps 1–4 as for gateway frames; then request_id (optional string ≤
// max_id_bytes), type (one of the five, else "unknown frame type '…'"),
// ticket (required, non-empty, ≤ max_id_bytes, for all but list), text
// (required for send: non-empty, ≤ max_text_bytes, else kTooLarge), agent
// (optional string ≤ max_id_bytes). Fields an op does not use are ignored.
// The error's in_reply_to is the request_id when readable, "" otherwise.
using AgentFrame = std::variant<AgentCommand, ErrorFrame>;
AgentFrame decode_agent_frame(std::string_view frame, const DecodeLimits& limits);

// The JSON body of an HTTP agent call, POST /v1/tickets/{ticket}/{op}:
// {"agent":…, "text":…}. `op` and `ticket` come from the URL (ticket is
// checked like the frame field); an empty or all-blank body means {}. Same
// checks and errors as decode_agent_frame; request_id is taken from the body
// when present. `op` must not be kList (that is GET /v1/tickets): kBadRequest.
AgentFrame decode_agent_request(AgentOp op, std::string_view ticket, std::string_view body,
                                const DecodeLimits& limits);

// The body of POST /v1/login: {"agent": a non-empty string ≤ max_id_bytes,
// "secret": a non-empty string ≤ max_id_bytes}; anything else an error.
std::variant<LoginRequest, ErrorFrame> decode_login(std::string_view body, const DecodeLimits& limits);
// A console body with one string field `key` ({"status":"away"},
// {"text":…}): its value (≤ max_text_bytes, may be empty), or the error.
std::variant<std::string, ErrorFrame> decode_string_field(std::string_view body, const char* key,
                                                          const DecodeLimits& limits);
// {"type":"me","agent","supervisor","service"}
std::string encode(const MeFrame& me);

// A message frame as the gateway would send it (used by clients and tests):
// ts omitted when 0, channel when "", meta when it has nothing.
std::string encode(const InboundMessage& message);

// The acknowledgement frames as a gateway sends them (clients and tests).
std::string encode(const HelloFrame& hello);
std::string encode(const AckFrame& ack);

// The answers to a message and the later pushes, exactly as in docs/protocol.md:
//   {"type":"reply","in_reply_to","chat","text","intents":[…],"confidence"}
//   {"type":"handoff","in_reply_to","chat","text","ticket","reason","position"}
//   {"type":"hold","in_reply_to","chat","ticket"}
//   {"type":"error","in_reply_to" (omitted when ""),"code","message"}
//   {"type":"agent_reply","chat","text","agent","ticket","push_id" (omitted when "")}
//   {"type":"notice","chat","text","ticket","push_id" (omitted when "")}
// A non-finite confidence is written as 0.
std::string encode(const ReplyFrame& frame);
std::string encode(const HandoffFrame& frame);
std::string encode(const HoldFrame& frame);
std::string encode(const ErrorFrame& frame);
std::string encode(const AgentReplyFrame& frame);
std::string encode(const NoticeFrame& frame);

// Agent answers. The ticket object is
//   {"id","chat","reason","state","agent" (omitted when ""),"priority","position",
//    "opened_ms","channel","buyer_nick","item_id" (each omitted when ""),
//    "meta":{the other meta keys} (omitted when none),
//    "transcript":[{"from","text","ts"}]}
//   {"type":"ok","op":…,"request_id" (omitted when ""),"ticket" (omitted when none)}
//   {"type":"queue","tickets":[…]}
//   {"type":"ticket","event":"opened"|"updated"|"claimed"|"released"|"resolved","ticket":{…}}
std::string encode(const AgentOkFrame& ok);
std::string encode(const QueueFrame& queue);
std::string encode(const TicketEvent& event);
std::string encode_ticket(const TicketView& ticket);  // the ticket object alone

// Whichever alternative the value holds.
std::string encode(const Answer& answer);
std::string encode(const Push& push);

// A reply, handoff or hold frame as encode() wrote it, back into its struct
// (the journal keeps answers as sent; replay turns them back into values).
// encode(*decode_answer(encode(a))) == encode(a). nullopt for anything else.
std::optional<Answer> decode_answer(std::string_view frame);

}  // namespace xiaoer::proto
