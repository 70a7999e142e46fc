#include "daemon/proto/codec.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <nlohmann/json.hpp>
#include <utility>

#include "daemon/common/json_writer.hpp"
#include "daemon/common/utf8.hpp"
#include "daemon/proto/plain_message.hpp"

// How it works.
//
// Decoding runs cheap byte scans before nlohmann sees the frame: UTF-8
// validity (so that a bad byte is reported as bad_utf8, not as a parse
// error) and nesting depth (nlohmann 3.11 parses with its own stack, but a
// deep DOM is recursive to copy, compare and dump, and we never need more
// than a few levels, so a hostile frame never gets built). Then one
// non-throwing parse into a DOM we own, and the fields are moved out of it.
// The error paths may do extra work (a second, SAX pass for the parser's
// reason; a repaired copy to find the id of a frame with bad UTF-8): they
// are rare, and what they buy is an error a gateway developer can act on.
//
// Encoding appends directly with common::JsonWriter (keys in the documented
// order, which makes frames easy to read in logs; invalid UTF-8 replaced by
// U+FFFD): no DOM is built for a frame sent on every message.

namespace xiaoer::proto {
namespace {

using Json = nlohmann::json;  // parsed input: O(log n) find()

constexpr std::size_t kMaxEchoBytes = 64;          // of input quoted back in an error message
constexpr std::size_t kMaxParseReasonBytes = 200;  // of the parser's reason in a bad_json message


// The longest prefix of `text` of at most `max_bytes` bytes that ends on a
// code point boundary (text is valid UTF-8), plus "…" when cut.
std::string clip(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  std::string out(text.substr(0, end));
  out += "…";
  return out;
}

ErrorFrame make_error(ErrorCode code, std::string message, std::string in_reply_to = {}) {
  ErrorFrame error;
  error.in_reply_to = std::move(in_reply_to);
  error.code = code;
  error.message = std::move(message);
  return error;
}

std::string too_long(std::string_view field, std::size_t size, std::size_t limit) {
  std::string message = "field '";
  message += field;
  message += "' is too long (";
  message += std::to_string(size);
  message += " bytes, limit ";
  message += std::to_string(limit);
  message += ")";
  return message;
}

std::string must_be(std::string_view field, std::string_view what) {
  std::string message = "field '";
  message += field;
  message += "' must be ";
  message += what;
  return message;
}

std::string missing(std::string_view field) {
  std::string message = "missing '";
  message += field;
  message += "'";
  return message;
}

// True when some point of `frame` is inside more than `max_depth` arrays or
// objects. Counts '[' and '{' outside strings exactly as the parser would
// see them up to its first error, so it never under-counts what the parser
// would build.
bool nesting_too_deep(std::string_view frame, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : frame) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) return true;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;  // unbalanced: the parser rejects it
        break;
      default: break;
    }
  }
  return false;
}

// A SAX consumer that builds nothing and keeps the parser's error: used
// only to explain a frame that failed the DOM parse.
class ParseErrorCatcher final : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
    reason_ = error.what();
    return false;
  }

  // "parse error at line 1, column 5: syntax error while parsing value - …",
  // without nlohmann's "[json.exception.parse_error.101] " prefix.
  std::string_view reason() const {
    std::string_view reason = reason_;
    if (const auto end = reason.find("] "); !reason.empty() && reason.front() == '[' && end != reason.npos) {
      reason.remove_prefix(end + 2);
    }
    return reason;
  }

 private:
  std::string reason_;
};

ErrorFrame bad_json(std::string_view frame) {
  ParseErrorCatcher catcher;
  Json::sax_parse(frame.begin(), frame.end(), &catcher);
  std::string message = "invalid JSON";
  if (const std::string_view reason = catcher.reason(); !reason.empty()) {
    message += ": ";
    message += clip(reason, kMaxParseReasonBytes);
  }
  return make_error(ErrorCode::kBadJson, std::move(message));
}

// The string at `key` of `object` when it is a non-empty string, else "".
std::string readable_string(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  if (it == object.end()) return {};
  const std::string* value = it->get_ptr<const std::string*>();
  return value ? *value : std::string();
}

// For a frame with invalid UTF-8: its `key` field (the id to answer to),
// found by parsing a copy with each bad byte replaced by U+FFFD. An id that
// itself held a bad byte is not readable.
std::string id_despite_bad_utf8(std::string_view frame, const char* key) {
  if (nesting_too_deep(frame, kMaxJsonNesting)) return {};
  std::string repaired;
  repaired.reserve(frame.size() + 16);
  std::size_t pos = 0;
  while (pos < frame.size()) {
    const std::size_t start = pos;
    if (common::decode_utf8(frame, pos) == common::kInvalidCodepoint) {
      repaired += "\xEF\xBF\xBD";
    } else {
      repaired.append(frame, start, pos - start);
    }
  }
  const Json root = Json::parse(repaired, nullptr, false);
  std::string id = readable_string(root, key);
  if (id.find("\xEF\xBF\xBD") != std::string::npos) return {};
  return id;
}

// Offset of the first byte of `frame` that is not valid UTF-8.
std::size_t first_bad_utf8_byte(std::string_view frame) {
  std::size_t pos = 0;
  while (pos < frame.size()) {
    const std::size_t start = pos;
    if (common::decode_utf8(frame, pos) == common::kInvalidCodepoint) return start;
  }
  return frame.size();
}

ErrorFrame bad_utf8(std::string_view frame, const char* id_key) {
  std::string message = "frame is not valid UTF-8 (first bad byte at offset ";
  message += std::to_string(first_bad_utf8_byte(frame));
  message += ")";
  return make_error(ErrorCode::kBadUtf8, std::move(message), id_despite_bad_utf8(frame, id_key));
}

// Steps 1–4 of decoding (codec.hpp): true with `root` set to the parsed
// object, or false with `error` set to the answer (its in_reply_to taken
// from the field `id_key` when that can be read).
bool parse_object(std::string_view frame, const char* id_key, Json& root, ErrorFrame& error) {
  if (!common::is_valid_utf8(frame)) {
    error = bad_utf8(frame, id_key);
    return false;
  }
  if (nesting_too_deep(frame, kMaxJsonNesting)) {
    error = make_error(ErrorCode::kBadJson, "nesting too deep (limit " + std::to_string(kMaxJsonNesting) + ")");
    return false;
  }
  root = Json::parse(frame.begin(), frame.end(), nullptr, false);
  if (root.is_discarded()) {
    error = bad_json(frame);
    return false;
  }
  if (!root.is_object()) {
    error = make_error(ErrorCode::kBadRequest, "frame must be a JSON object");
    return false;
  }
  return true;
}

enum class Read { kAbsent, kOk, kWrongType };

// Moves the string at `key` of `object` into `out`. Absent or null: kAbsent,
// `out` untouched.
Read take_string(Json& object, const char* key, std::string& out) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return Read::kAbsent;
  std::string* value = it->get_ptr<std::string*>();
  if (value == nullptr) return Read::kWrongType;
  out = std::move(*value);
  return Read::kOk;
}

// Why a frame is refused; an empty message means it is not.
struct Problem {
  ErrorCode code = ErrorCode::kBadRequest;
  std::string message;

  explicit operator bool() const { return !message.empty(); }
};

Problem bad_request(std::string message) { return {ErrorCode::kBadRequest, std::move(message)}; }

enum class Presence { kOptional, kRequired };

// What a string field must be.
struct StringRule {
  const char* key;
  Presence presence;
  bool non_empty;
  std::size_t max_bytes;
  ErrorCode too_long_code;  // kTooLarge for text, kBadRequest for identifiers
};

// `id`, `chat`, `ticket` (required, non-empty) and `request_id`, `agent` (optional).
StringRule identifier(const char* key, Presence presence, const DecodeLimits& limits) {
  return {key, presence, presence == Presence::kRequired, limits.max_id_bytes, ErrorCode::kBadRequest};
}

// `text`: a buyer's may be empty, an agent's may not.
StringRule text_field(bool non_empty, const DecodeLimits& limits) {
  return {"text", Presence::kRequired, non_empty, limits.max_text_bytes, ErrorCode::kTooLarge};
}

// Moves the field `rule.key` of `object` into `out` and checks it against
// the rule. A string that is too long is still moved into `out`.
Problem take_checked(Json& object, const StringRule& rule, std::string& out) {
  switch (take_string(object, rule.key, out)) {
    case Read::kAbsent: return rule.presence == Presence::kRequired ? bad_request(missing(rule.key)) : Problem{};
    case Read::kWrongType: return bad_request(must_be(rule.key, "a string"));
    case Read::kOk: break;
  }
  if (rule.non_empty && out.empty()) return bad_request(must_be(rule.key, "a non-empty string"));
  if (out.size() > rule.max_bytes) return {rule.too_long_code, too_long(rule.key, out.size(), rule.max_bytes)};
  return {};
}

// The "type" of a parsed object, or nullptr with `problem` set.
const std::string* frame_type(const Json& root, Problem& problem) {
  const auto it = root.find("type");
  if (it == root.end() || it->is_null()) {
    problem = bad_request(missing("type"));
    return nullptr;
  }
  const std::string* type = it->get_ptr<const std::string*>();
  if (type == nullptr) problem = bad_request(must_be("type", "a string"));
  return type;
}

Problem unknown_type(std::string_view type) {
  std::string message = "unknown frame type '";
  message += clip(type, kMaxEchoBytes);
  message += "'";
  return bad_request(std::move(message));
}

ErrorFrame to_error(Problem problem, std::string in_reply_to) {
  return make_error(problem.code, std::move(problem.message), std::move(in_reply_to));
}

// ---- agent commands ---------------------------------------------------------

bool parse_op(std::string_view name, AgentOp& op) {
  for (const AgentOp candidate : {AgentOp::kList, AgentOp::kClaim, AgentOp::kRelease, AgentOp::kResolve, AgentOp::kSend,
                                  AgentOp::kTransfer, AgentOp::kNote}) {
    if (name == to_string(candidate)) {
      op = candidate;
      return true;
    }
  }
  return false;
}

enum class TicketSource { kFrame, kUrl };

// Reads what `command.op` needs from `object`: ticket (all but list, unless
// it came from the URL), text (send), then agent.
Problem take_command_fields(Json& object, AgentCommand& command, TicketSource ticket_source,
                            const DecodeLimits& limits) {
  if (ticket_source == TicketSource::kFrame && command.op != AgentOp::kList) {
    if (Problem problem = take_checked(object, identifier("ticket", Presence::kRequired, limits), command.ticket)) {
      return problem;
    }
  }
  if (command.op == AgentOp::kSend || command.op == AgentOp::kNote) {
    if (Problem problem = take_checked(object, text_field(true, limits), command.text)) return problem;
  }
  if (command.op == AgentOp::kTransfer) {
    if (Problem problem = take_checked(object, identifier("to", Presence::kRequired, limits), command.to)) {
      return problem;
    }
  }
  return take_checked(object, identifier("agent", Presence::kOptional, limits), command.agent);
}

// ---- push acknowledgements --------------------------------------------------

GatewayFrame decode_hello(const Json& root) {
  HelloFrame hello;
  if (const auto acks = root.find("acks"); acks != root.end() && !acks->is_null()) {
    if (!acks->is_boolean()) return to_error(bad_request(must_be("acks", "a boolean")), "");
    hello.acks = acks->get<bool>();
  }
  return hello;
}

GatewayFrame decode_ack(Json& root, const DecodeLimits& limits) {
  const auto ids = root.find("push_ids");
  if (ids == root.end() || ids->is_null()) return to_error(bad_request(missing("push_ids")), "");
  if (!ids->is_array() || ids->empty()) {
    return to_error(bad_request(must_be("push_ids", "a non-empty array of push ids")), "");
  }
  AckFrame ack;
  ack.push_ids.reserve(ids->size());
  for (Json& id : *ids) {
    std::string* value = id.get_ptr<std::string*>();
    if (value == nullptr || value->empty()) {
      return to_error(bad_request(must_be("push_ids", "an array of non-empty strings")), "");
    }
    if (value->size() > limits.max_id_bytes) {
      return to_error(bad_request(too_long("push_ids[]", value->size(), limits.max_id_bytes)), "");
    }
    ack.push_ids.push_back(std::move(*value));
  }
  return ack;
}

}  // namespace

// ---- decoding ---------------------------------------------------------------

GatewayFrame decode_gateway_frame(std::string_view frame, const DecodeLimits& limits) {
  if (std::optional<InboundMessage> message = decode_plain_message(frame, limits)) return std::move(*message);
  return decode_gateway_frame_in_full(frame, limits);
}

GatewayFrame decode_gateway_frame_in_full(std::string_view frame, const DecodeLimits& limits) {
  Json root;
  ErrorFrame error;
  if (!parse_object(frame, "id", root, error)) return error;

  Problem problem;
  const std::string* type = frame_type(root, problem);
  if (type == nullptr) return to_error(std::move(problem), readable_string(root, "id"));
  if (*type == "hello") return decode_hello(root);
  if (*type == "ack") return decode_ack(root, limits);
  if (*type != "message") return to_error(unknown_type(*type), readable_string(root, "id"));

  // From here errors answer to message.id: "" while it is unread or when it
  // is not a string; a too-long id is readable and echoed.
  InboundMessage message;
  const auto fail = [&message](Problem why) -> GatewayFrame { return to_error(std::move(why), message.id); };

  if (Problem p = take_checked(root, identifier("id", Presence::kRequired, limits), message.id))
    return fail(std::move(p));
  if (Problem p = take_checked(root, identifier("chat", Presence::kRequired, limits), message.chat))
    return fail(std::move(p));
  if (Problem p = take_checked(root, text_field(false, limits), message.text)) return fail(std::move(p));

  if (const auto ts = root.find("ts"); ts != root.end() && !ts->is_null()) {
    constexpr auto kMaxTs = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (const auto* value = ts->get_ptr<const Json::number_unsigned_t*>(); value != nullptr && *value <= kMaxTs) {
      message.ts = static_cast<std::int64_t>(*value);
    } else if (const auto* signed_value = ts->get_ptr<const Json::number_integer_t*>();
               signed_value != nullptr && *signed_value >= 0) {
      message.ts = *signed_value;
    } else {
      return fail(bad_request(must_be("ts", "a non-negative integer (ms since the epoch)")));
    }
  }
  if (take_string(root, "channel", message.channel) == Read::kWrongType) {
    return fail(bad_request(must_be("channel", "a string")));
  }
  if (const auto meta = root.find("meta"); meta != root.end() && !meta->is_null()) {
    if (!meta->is_object()) return fail(bad_request(must_be("meta", "an object")));
    if (take_string(*meta, "buyer_nick", message.buyer_nick) == Read::kWrongType) {
      return fail(bad_request(must_be("meta.buyer_nick", "a string")));
    }
    if (take_string(*meta, "item_id", message.item_id) == Read::kWrongType) {
      return fail(bad_request(must_be("meta.item_id", "a string")));
    }
    for (const auto& [key, value] : meta->items()) {
      if (key == "buyer_nick" || key == "item_id" || value.is_null()) continue;
      std::string text = value.is_string() ? value.get<std::string>()
                                           : value.dump(-1, ' ', false, Json::error_handler_t::replace);
      if (!keep_meta(message, key, std::move(text), limits)) break;
    }
  }
  return message;
}

bool keep_meta(InboundMessage& message, std::string key, std::string text, const DecodeLimits& limits) {
  if (message.meta.size() == kMaxMetaKeys) return false;
  if (key.size() <= limits.max_id_bytes && text.size() <= limits.max_id_bytes) {
    message.meta.emplace_back(std::move(key), std::move(text));
  }
  return true;
}

AgentFrame decode_agent_frame(std::string_view frame, const DecodeLimits& limits) {
  Json root;
  ErrorFrame error;
  if (!parse_object(frame, "request_id", root, error)) return error;

  // Errors answer to command.request_id once it is read.
  AgentCommand command;
  if (Problem p = take_checked(root, identifier("request_id", Presence::kOptional, limits), command.request_id)) {
    return to_error(std::move(p), std::move(command.request_id));
  }
  Problem problem;
  const std::string* type = frame_type(root, problem);
  if (type == nullptr) return to_error(std::move(problem), std::move(command.request_id));
  if (!parse_op(*type, command.op)) return to_error(unknown_type(*type), std::move(command.request_id));
  if (Problem p = take_command_fields(root, command, TicketSource::kFrame, limits)) {
    return to_error(std::move(p), std::move(command.request_id));
  }
  return command;
}

AgentFrame decode_agent_request(AgentOp op, std::string_view ticket, std::string_view body,
                                const DecodeLimits& limits) {
  if (op == AgentOp::kList)
    return make_error(ErrorCode::kBadRequest, "list is GET /v1/tickets, not a ticket operation");
  if (!common::is_valid_utf8(ticket)) return make_error(ErrorCode::kBadUtf8, "ticket id is not valid UTF-8");
  if (ticket.empty()) return make_error(ErrorCode::kBadRequest, must_be("ticket", "a non-empty string"));
  if (ticket.size() > limits.max_id_bytes) {
    return make_error(ErrorCode::kBadRequest, too_long("ticket", ticket.size(), limits.max_id_bytes));
  }

  Json root = Json::object();
  if (body.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    ErrorFrame error;
    if (!parse_object(body, "request_id", root, error)) return error;
  }

  AgentCommand command;
  command.op = op;
  command.ticket = ticket;
  if (Problem p = take_checked(root, identifier("request_id", Presence::kOptional, limits), command.request_id)) {
    return to_error(std::move(p), std::move(command.request_id));
  }
  if (Problem p = take_command_fields(root, command, TicketSource::kUrl, limits)) {
    return to_error(std::move(p), std::move(command.request_id));
  }
  return command;
}

std::variant<LoginRequest, ErrorFrame> decode_login(std::string_view body, const DecodeLimits& limits) {
  Json root;
  ErrorFrame error;
  if (!parse_object(body, "request_id", root, error)) return error;
  LoginRequest login;
  if (Problem p = take_checked(root, identifier("agent", Presence::kRequired, limits), login.agent)) {
    return to_error(std::move(p), "");
  }
  if (Problem p = take_checked(root, identifier("secret", Presence::kRequired, limits), login.secret)) {
    // Never echo a secret back: the message names the field only.
    return make_error(ErrorCode::kBadRequest, must_be("secret", "a non-empty string"));
  }
  return login;
}

std::variant<std::string, ErrorFrame> decode_string_field(std::string_view body, const char* key,
                                                          const DecodeLimits& limits) {
  Json root;
  ErrorFrame error;
  if (!parse_object(body, "request_id", root, error)) return error;
  std::string value;
  const StringRule rule{key, Presence::kRequired, false, limits.max_text_bytes, ErrorCode::kTooLarge};
  if (Problem p = take_checked(root, rule, value)) return to_error(std::move(p), "");
  return value;
}

// ---- encoding ---------------------------------------------------------------

namespace {

void write_ticket(common::JsonWriter& w, const TicketView& ticket) {
  w.begin_object()
      .field("id", ticket.id)
      .field("chat", ticket.chat)
      .field("reason", ticket.reason)
      .field("state", ticket.state);
  if (!ticket.agent.empty()) w.field("agent", ticket.agent);
  w.key("priority").value(ticket.priority);
  w.key("position").value(ticket.position);
  w.key("opened_ms").value(ticket.opened_ms);
  if (!ticket.channel.empty()) w.field("channel", ticket.channel);
  if (!ticket.buyer_nick.empty()) w.field("buyer_nick", ticket.buyer_nick);
  if (!ticket.item_id.empty()) w.field("item_id", ticket.item_id);
  if (!ticket.meta.empty()) {
    w.key("meta").begin_object();
    for (const auto& [key, value] : ticket.meta) w.field(key, value);
    w.end_object();
  }
  if (ticket.deadline_ms != 0) w.key("deadline_ms").value(ticket.deadline_ms);
  if (!ticket.suggestion.empty()) w.field("suggestion", ticket.suggestion);
  w.key("transcript").begin_array();
  for (const TranscriptEntry& entry : ticket.transcript) {
    w.begin_object().field("from", entry.from).field("text", entry.text).key("ts").value(entry.ts);
    if (!entry.agent.empty()) w.field("agent", entry.agent);
    w.end_object();
  }
  w.end_array().end_object();
}

// A frame: {"type": type, ...fields written by `body`}.
template <typename Body>
std::string frame(std::string_view type, Body&& body) {
  return common::typed_object("type", type, std::forward<Body>(body));
}

}  // namespace

std::string encode(const InboundMessage& message) {
  return frame("message", [&](common::JsonWriter& w) {
    w.field("id", message.id).field("chat", message.chat).field("text", message.text);
    if (message.ts != 0) w.key("ts").value(message.ts);
    if (!message.channel.empty()) w.field("channel", message.channel);
    if (!message.buyer_nick.empty() || !message.item_id.empty() || !message.meta.empty()) {
      w.key("meta").begin_object();
      if (!message.buyer_nick.empty()) w.field("buyer_nick", message.buyer_nick);
      if (!message.item_id.empty()) w.field("item_id", message.item_id);
      for (const auto& [key, value] : message.meta) w.field(key, value);
      w.end_object();
    }
  });
}

std::string encode(const ReplyFrame& reply) {
  return frame("reply", [&](common::JsonWriter& w) {
    w.field("in_reply_to", reply.in_reply_to).field("chat", reply.chat).field("text", reply.text);
    w.key("intents").begin_array();
    for (const std::string& intent : reply.intents) w.value(intent);
    w.end_array();
    w.key("confidence").value(reply.confidence);
  });
}

std::string encode(const HandoffFrame& handoff) {
  return frame("handoff", [&](common::JsonWriter& w) {
    w.field("in_reply_to", handoff.in_reply_to)
        .field("chat", handoff.chat)
        .field("text", handoff.text)
        .field("ticket", handoff.ticket)
        .field("reason", handoff.reason)
        .key("position")
        .value(handoff.position);
  });
}

std::string encode(const HoldFrame& hold) {
  return frame("hold", [&](common::JsonWriter& w) {
    w.field("in_reply_to", hold.in_reply_to).field("chat", hold.chat).field("ticket", hold.ticket);
  });
}

std::string encode(const ErrorFrame& error) {
  return frame("error", [&](common::JsonWriter& w) {
    if (!error.in_reply_to.empty()) w.field("in_reply_to", error.in_reply_to);
    w.field("code", to_string(error.code)).field("message", error.message);
  });
}

std::string encode(const AgentReplyFrame& reply) {
  return frame("agent_reply", [&](common::JsonWriter& w) {
    w.field("chat", reply.chat).field("text", reply.text).field("agent", reply.agent).field("ticket", reply.ticket);
    if (!reply.push_id.empty()) w.field("push_id", reply.push_id);
  });
}

std::string encode(const NoticeFrame& notice) {
  return frame("notice", [&](common::JsonWriter& w) {
    w.field("chat", notice.chat).field("text", notice.text).field("ticket", notice.ticket);
    if (!notice.push_id.empty()) w.field("push_id", notice.push_id);
  });
}

std::string encode(const HelloFrame& hello) {
  return frame("hello", [&](common::JsonWriter& w) { w.key("acks").value(hello.acks); });
}

std::string encode(const AckFrame& ack) {
  return frame("ack", [&](common::JsonWriter& w) {
    w.key("push_ids").begin_array();
    for (const std::string& id : ack.push_ids) w.value(id);
    w.end_array();
  });
}

std::string encode(const AgentOkFrame& ok) {
  return frame("ok", [&](common::JsonWriter& w) {
    w.field("op", to_string(ok.op));
    if (!ok.request_id.empty()) w.field("request_id", ok.request_id);
    if (ok.ticket) {
      w.key("ticket");
      write_ticket(w, *ok.ticket);
    }
  });
}

std::string encode(const QueueFrame& queue) {
  return frame("queue", [&](common::JsonWriter& w) {
    w.key("tickets").begin_array();
    for (const TicketView& ticket : queue.tickets) write_ticket(w, ticket);
    w.end_array();
  });
}

std::string encode(const MeFrame& me) {
  return frame("me", [&](common::JsonWriter& w) {
    w.field("agent", me.agent).key("supervisor").value(me.supervisor).key("service").value(me.service);
  });
}

std::string encode(const TicketEvent& event) {
  return frame("ticket", [&](common::JsonWriter& w) {
    w.field("event", to_string(event.kind)).key("ticket");
    write_ticket(w, event.ticket);
  });
}

std::string encode(const Answer& answer) {
  return std::visit([](const auto& frame) { return encode(frame); }, answer);
}

std::string encode(const Push& push) {
  return std::visit([](const auto& frame) { return encode(frame); }, push);
}

std::optional<Answer> decode_answer(std::string_view text) {
  const Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  const auto str = [&j](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string type = str("type");
  if (type == "reply") {
    ReplyFrame reply{str("in_reply_to"), str("chat"), str("text"), {}, 0};
    if (const auto intents = j.find("intents"); intents != j.end() && intents->is_array()) {
      for (const Json& intent : *intents) {
        if (intent.is_string()) reply.intents.push_back(intent.get<std::string>());
      }
    }
    if (const auto c = j.find("confidence"); c != j.end() && c->is_number()) reply.confidence = c->get<double>();
    return reply;
  }
  if (type == "handoff") {
    HandoffFrame handoff{str("in_reply_to"), str("chat"), str("text"), str("ticket"), str("reason"), 0};
    if (const auto p = j.find("position"); p != j.end() && p->is_number_integer()) handoff.position = p->get<int>();
    return handoff;
  }
  if (type == "hold") return HoldFrame{str("in_reply_to"), str("chat"), str("ticket")};
  return std::nullopt;
}

std::string encode_ticket(const TicketView& ticket) {
  std::string out;
  common::JsonWriter w(out);
  write_ticket(w, ticket);
  return out;
}

}  // namespace xiaoer::proto
