#include "daemon/proto/codec.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xiaoer::proto {
namespace {

using Json = nlohmann::json;

const DecodeLimits kLimits;

// ---- helpers ----------------------------------------------------------------

InboundMessage decode_message(std::string_view frame) {
  GatewayFrame decoded = decode_gateway_frame(frame, kLimits);
  if (const auto* error = std::get_if<ErrorFrame>(&decoded)) {
    ADD_FAILURE() << "unexpected error " << to_string(error->code) << ": " << error->message << "\n  frame: " << frame;
    return {};
  }
  return std::get<InboundMessage>(std::move(decoded));
}

ErrorFrame decode_error(std::string_view frame, const DecodeLimits& limits = kLimits) {
  GatewayFrame decoded = decode_gateway_frame(frame, limits);
  if (!std::holds_alternative<ErrorFrame>(decoded)) {
    ADD_FAILURE() << "expected an error for: " << frame;
    return {};
  }
  return std::get<ErrorFrame>(std::move(decoded));
}

AgentCommand decode_command(std::string_view frame) {
  AgentFrame decoded = decode_agent_frame(frame, kLimits);
  if (const auto* error = std::get_if<ErrorFrame>(&decoded)) {
    ADD_FAILURE() << "unexpected error " << to_string(error->code) << ": " << error->message << "\n  frame: " << frame;
    return {};
  }
  return std::get<AgentCommand>(std::move(decoded));
}

ErrorFrame decode_agent_error(std::string_view frame, const DecodeLimits& limits = kLimits) {
  AgentFrame decoded = decode_agent_frame(frame, limits);
  if (!std::holds_alternative<ErrorFrame>(decoded)) {
    ADD_FAILURE() << "expected an error for: " << frame;
    return {};
  }
  return std::get<ErrorFrame>(std::move(decoded));
}

// Parses an encoded frame back; fails the test if it is not a JSON object.
Json parse(const std::string& encoded) {
  Json json = Json::parse(encoded, nullptr, false);
  EXPECT_TRUE(json.is_object()) << encoded;
  return json;
}

// The keys of an encoded object, in the order written.
std::vector<std::string> keys_in_order(const std::string& encoded) {
  const nlohmann::ordered_json json = nlohmann::ordered_json::parse(encoded, nullptr, false);
  std::vector<std::string> keys;
  if (!json.is_object()) return keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  return keys;
}

using Keys = std::vector<std::string>;

TicketView sample_ticket() {
  TicketView ticket;
  ticket.id = "T-7";
  ticket.chat = "shop7:buyer42";
  ticket.reason = "complaint";
  ticket.state = "claimed";
  ticket.agent = "小李";
  ticket.priority = 10;
  ticket.position = 0;
  ticket.opened_ms = 1763800000123;
  ticket.transcript = {{"buyer", "太差了 我要投诉", 1763800000000}, {"bot", "亲，非常抱歉😔", 1763800000050}};
  return ticket;
}

void expect_ticket_object(const Json& json, const TicketView& ticket) {
  ASSERT_TRUE(json.is_object());
  EXPECT_EQ(json["id"], ticket.id);
  EXPECT_EQ(json["chat"], ticket.chat);
  EXPECT_EQ(json["reason"], ticket.reason);
  EXPECT_EQ(json["state"], ticket.state);
  if (ticket.agent.empty()) {
    EXPECT_FALSE(json.contains("agent"));
  } else {
    EXPECT_EQ(json["agent"], ticket.agent);
  }
  EXPECT_EQ(json["priority"], ticket.priority);
  EXPECT_EQ(json["position"], ticket.position);
  EXPECT_EQ(json["opened_ms"], ticket.opened_ms);
  ASSERT_TRUE(json["transcript"].is_array());
  ASSERT_EQ(json["transcript"].size(), ticket.transcript.size());
  for (std::size_t i = 0; i < ticket.transcript.size(); ++i) {
    const Json& line = json["transcript"][i];
    EXPECT_EQ(line.size(), 3u);
    EXPECT_EQ(line["from"], ticket.transcript[i].from);
    EXPECT_EQ(line["text"], ticket.transcript[i].text);
    EXPECT_EQ(line["ts"], ticket.transcript[i].ts);
  }
}

// ---- names ------------------------------------------------------------------

TEST(Codec, ErrorCodeNames) {
  EXPECT_EQ(to_string(ErrorCode::kBadJson), "bad_json");
  EXPECT_EQ(to_string(ErrorCode::kBadRequest), "bad_request");
  EXPECT_EQ(to_string(ErrorCode::kBadUtf8), "bad_utf8");
  EXPECT_EQ(to_string(ErrorCode::kTooLarge), "too_large");
  EXPECT_EQ(to_string(ErrorCode::kRateLimited), "rate_limited");
  EXPECT_EQ(to_string(ErrorCode::kUnsupported), "unsupported");
  EXPECT_EQ(to_string(ErrorCode::kUnavailable), "unavailable");
}

TEST(Codec, AgentOpNames) {
  EXPECT_EQ(to_string(AgentOp::kList), "list");
  EXPECT_EQ(to_string(AgentOp::kClaim), "claim");
  EXPECT_EQ(to_string(AgentOp::kRelease), "release");
  EXPECT_EQ(to_string(AgentOp::kResolve), "resolve");
  EXPECT_EQ(to_string(AgentOp::kSend), "send");
}

// ---- gateway messages: decoding ---------------------------------------------

TEST(Codec, DecodesTheSpecExample) {
  const InboundMessage m = decode_message(
      R"({"type":"message","id":"m-1001","chat":"shop7:buyer42","text":"亲 发什么快递","ts":1763800000000,)"
      R"( "channel":"taobao","meta":{"buyer_nick":"小王","item_id":"123"}})");
  EXPECT_EQ(m.id, "m-1001");
  EXPECT_EQ(m.chat, "shop7:buyer42");
  EXPECT_EQ(m.text, "亲 发什么快递");
  EXPECT_EQ(m.ts, 1763800000000);
  EXPECT_EQ(m.channel, "taobao");
  EXPECT_EQ(m.buyer_nick, "小王");
  EXPECT_EQ(m.item_id, "123");
}

TEST(Codec, DecodesAMinimalMessage) {
  const InboundMessage m = decode_message(R"({"type":"message","id":"1","chat":"c","text":""})");
  EXPECT_EQ(m.id, "1");
  EXPECT_EQ(m.chat, "c");
  EXPECT_EQ(m.text, "");
  EXPECT_EQ(m.ts, 0);
  EXPECT_EQ(m.channel, "");
  EXPECT_EQ(m.buyer_nick, "");
  EXPECT_EQ(m.item_id, "");
}

TEST(Codec, NullOptionalFieldsCountAsAbsent) {
  const InboundMessage m =
      decode_message(R"({"type":"message","id":"1","chat":"c","text":"hi","ts":null,"channel":null,"meta":null})");
  EXPECT_EQ(m.ts, 0);
  EXPECT_EQ(m.channel, "");
  const InboundMessage n =
      decode_message(R"({"type":"message","id":"1","chat":"c","text":"hi","meta":{"buyer_nick":null,"item_id":null}})");
  EXPECT_EQ(n.buyer_nick, "");
  EXPECT_EQ(n.item_id, "");
}

TEST(Codec, IgnoresUnknownFields) {
  const InboundMessage m =
      decode_message(R"({"v":2,"type":"message","id":"1","chat":"c","text":"hi","extra":{"deep":[1,2,{"x":null}]},)"
                     R"("meta":{"buyer_nick":"n","level":5,"tags":["vip"]}})");
  EXPECT_EQ(m.text, "hi");
  EXPECT_EQ(m.buyer_nick, "n");
}

// meta's other keys are kept for the agents (a non-string as its JSON
// text), bounded in number and size; buyer_nick and item_id have fields.
TEST(Codec, KeepsTheOtherMetaKeys) {
  const InboundMessage m = decode_message(
      R"({"type":"message","id":"1","chat":"c","text":"hi","meta":{"buyer_nick":"n","level":5,"tags":["vip"],)"
      R"("order_id":"O-9","gone":null}})");
  using Meta = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(m.meta, (Meta{{"level", "5"}, {"order_id", "O-9"}, {"tags", R"(["vip"])"}}));
  std::string many = R"({"type":"message","id":"1","chat":"c","text":"hi","meta":{"a_long":")" + std::string(300, 'x') + '"';
  for (int i = 0; i < 40; ++i) many += ",\"k" + std::to_string(100 + i) + "\":\"v\"";
  const InboundMessage bounded = decode_message(many + "}}");
  EXPECT_EQ(bounded.meta.size(), kMaxMetaKeys);
  EXPECT_EQ(bounded.meta.front().first, "k100") << "a value past max_id_bytes is left out";
  const Json again = Json::parse(encode(m));
  EXPECT_EQ(again["meta"]["order_id"], "O-9");
}

TEST(Codec, UnescapesJsonStrings) {
  const InboundMessage m =
      decode_message(R"({"type":"message","id":"1","chat":"c","text":"a\"b\\c\n\u4eb2\ud83d\ude0a\u0000z"})");
  EXPECT_EQ(m.text, std::string("a\"b\\c\n亲😊\0z", 15));
}

TEST(Codec, AcceptsTheLimitsExactly) {
  const std::string id(kLimits.max_id_bytes, 'i');
  const std::string chat(kLimits.max_id_bytes, 'c');
  const std::string text(kLimits.max_text_bytes, 't');
  const InboundMessage m =
      decode_message(R"({"type":"message","id":")" + id + R"(","chat":")" + chat + R"(","text":")" + text + R"("})");
  EXPECT_EQ(m.id, id);
  EXPECT_EQ(m.chat, chat);
  EXPECT_EQ(m.text, text);
}

TEST(Codec, TsAcceptsTheWholeInt64Range) {
  EXPECT_EQ(decode_message(R"({"type":"message","id":"1","chat":"c","text":"","ts":9223372036854775807})").ts,
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(decode_message(R"({"type":"message","id":"1","chat":"c","text":"","ts":0})").ts, 0);
}

// ---- gateway messages: encoding and round trip --------------------------------

TEST(Codec, MessageRoundTrip) {
  InboundMessage in;
  in.id = "m-1001";
  in.chat = "shop7:buyer42";
  in.text = "亲 \"发什么快递\"\n😊";
  in.ts = 1763800000000;
  in.channel = "taobao";
  in.buyer_nick = "小王";
  in.item_id = "123";
  const std::string encoded = encode(in);
  EXPECT_EQ(keys_in_order(encoded), (Keys{"type", "id", "chat", "text", "ts", "channel", "meta"}));
  const Json json = parse(encoded);
  EXPECT_EQ(json["type"], "message");
  EXPECT_EQ(json["meta"], Json({{"buyer_nick", "小王"}, {"item_id", "123"}}));

  const InboundMessage out = decode_message(encoded);
  EXPECT_EQ(out.id, in.id);
  EXPECT_EQ(out.chat, in.chat);
  EXPECT_EQ(out.text, in.text);
  EXPECT_EQ(out.ts, in.ts);
  EXPECT_EQ(out.channel, in.channel);
  EXPECT_EQ(out.buyer_nick, in.buyer_nick);
  EXPECT_EQ(out.item_id, in.item_id);
}

TEST(Codec, MessageEncodingOmitsEmptyOptionalFields) {
  InboundMessage in;
  in.id = "1";
  in.chat = "c";
  in.text = "";
  EXPECT_EQ(keys_in_order(encode(in)), (Keys{"type", "id", "chat", "text"}));
  in.item_id = "9";
  const Json json = parse(encode(in));
  EXPECT_EQ(json["meta"], Json({{"item_id", "9"}}));
}

// ---- gateway messages: errors -------------------------------------------------

TEST(Codec, RejectsFramesThatAreNotJson) {
  for (const std::string_view frame :
       {"", "   ", "hello", "{", R"({"type":"message",})", R"({"type":"message"} x)", "{'type':'message'}",
        R"({"type":"message","id":"1","chat":"c","text":"hi")", "nul", "[1,2", R"("\x")", "1e999e"}) {
    const ErrorFrame e = decode_error(frame);
    EXPECT_EQ(e.code, ErrorCode::kBadJson) << frame;
    EXPECT_EQ(e.in_reply_to, "") << frame;
    EXPECT_EQ(e.message.rfind("invalid JSON", 0), 0u) << e.message;
  }
}

TEST(Codec, BadJsonMessageSaysWhere) {
  const ErrorFrame e = decode_error(R"({"type":"message",})");
  EXPECT_NE(e.message.find("line 1, column"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("json.exception"), std::string::npos) << e.message;
}

TEST(Codec, BadJsonMessageIsBounded) {
  const std::string frame = R"({"type":"message","text":")" + std::string(10000, 'x');  // unterminated string
  const ErrorFrame e = decode_error(frame);
  EXPECT_EQ(e.code, ErrorCode::kBadJson);
  EXPECT_LT(e.message.size(), 300u);
}

TEST(Codec, LoneSurrogateEscapeIsBadJson) {
  EXPECT_EQ(decode_error(R"({"type":"message","id":"1","chat":"c","text":"\ud800"})").code, ErrorCode::kBadJson);
  EXPECT_EQ(decode_error(R"({"type":"message","id":"1","chat":"c","text":"\udc00x"})").code, ErrorCode::kBadJson);
}

TEST(Codec, RejectsJsonThatIsNotAnObject) {
  for (const std::string_view frame : {"[]", R"(["message"])", R"("message")", "42", "null", "true"}) {
    const ErrorFrame e = decode_error(frame);
    EXPECT_EQ(e.code, ErrorCode::kBadRequest) << frame;
    EXPECT_EQ(e.message, "frame must be a JSON object");
  }
}

TEST(Codec, RejectsMissingOrWrongType) {
  ErrorFrame e = decode_error(R"({"id":"m1","chat":"c","text":"hi"})");
  EXPECT_EQ(e.code, ErrorCode::kBadRequest);
  EXPECT_EQ(e.message, "missing 'type'");
  EXPECT_EQ(e.in_reply_to, "m1");

  e = decode_error(R"({"type":null,"id":"m1","chat":"c","text":"hi"})");
  EXPECT_EQ(e.message, "missing 'type'");

  e = decode_error(R"({"type":7,"id":"m1","chat":"c","text":"hi"})");
  EXPECT_EQ(e.code, ErrorCode::kBadRequest);
  EXPECT_EQ(e.message, "field 'type' must be a string");
  EXPECT_EQ(e.in_reply_to, "m1");

  e = decode_error(R"({"type":"reply","id":"m1","chat":"c","text":"hi"})");
  EXPECT_EQ(e.code, ErrorCode::kBadRequest);
  EXPECT_EQ(e.message, "unknown frame type 'reply'");
  EXPECT_EQ(e.in_reply_to, "m1");

  e = decode_error(R"({"type":"Message","id":7})");
  EXPECT_EQ(e.message, "unknown frame type 'Message'");
  EXPECT_EQ(e.in_reply_to, "");
}

TEST(Codec, UnknownTypeIsClippedInTheMessage) {
  const std::string type = "类型" + std::string(500, 'x');
  const ErrorFrame e = decode_error(R"({"type":")" + type + R"("})");
  EXPECT_LT(e.message.size(), 120u);
  EXPECT_EQ(e.message.rfind("unknown frame type '类型xxx", 0), 0u) << e.message;
  EXPECT_NE(e.message.find("…'"), std::string::npos) << e.message;
}

struct FieldCase {
  const char* frame;
  ErrorCode code;
  const char* message;
  const char* in_reply_to;
};

TEST(Codec, RejectsMissingAndWrongTypedFields) {
  const FieldCase cases[] = {
      {R"({"type":"message","chat":"c","text":"hi"})", ErrorCode::kBadRequest, "missing 'id'", ""},
      {R"({"type":"message","id":null,"chat":"c","text":"hi"})", ErrorCode::kBadRequest, "missing 'id'", ""},
      {R"({"type":"message","id":1001,"chat":"c","text":"hi"})", ErrorCode::kBadRequest, "field 'id' must be a string",
       ""},
      {R"({"type":"message","id":"","chat":"c","text":"hi"})", ErrorCode::kBadRequest,
       "field 'id' must be a non-empty string", ""},
      {R"({"type":"message","id":"m1","text":"hi"})", ErrorCode::kBadRequest, "missing 'chat'", "m1"},
      {R"({"type":"message","id":"m1","chat":["c"],"text":"hi"})", ErrorCode::kBadRequest,
       "field 'chat' must be a string", "m1"},
      {R"({"type":"message","id":"m1","chat":"","text":"hi"})", ErrorCode::kBadRequest,
       "field 'chat' must be a non-empty string", "m1"},
      {R"({"type":"message","id":"m1","chat":"c"})", ErrorCode::kBadRequest, "missing 'text'", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":42})", ErrorCode::kBadRequest, "field 'text' must be a string",
       "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":{"t":"hi"}})", ErrorCode::kBadRequest,
       "field 'text' must be a string", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi","ts":"1763800000000"})", ErrorCode::kBadRequest,
       "field 'ts' must be a non-negative integer (ms since the epoch)", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi","ts":1763800000000.5})", ErrorCode::kBadRequest,
       "field 'ts' must be a non-negative integer (ms since the epoch)", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi","ts":-1})", ErrorCode::kBadRequest,
       "field 'ts' must be a non-negative integer (ms since the epoch)", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi","ts":18446744073709551615})", ErrorCode::kBadRequest,
       "field 'ts' must be a non-negative integer (ms since the epoch)", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi","ts":true})", ErrorCode::kBadRequest,
       "field 'ts' must be a non-negative integer (ms since the epoch)", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi","channel":3})", ErrorCode::kBadRequest,
       "field 'channel' must be a string", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi","meta":"vip"})", ErrorCode::kBadRequest,
       "field 'meta' must be an object", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi","meta":[]})", ErrorCode::kBadRequest,
       "field 'meta' must be an object", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi","meta":{"buyer_nick":5}})", ErrorCode::kBadRequest,
       "field 'meta.buyer_nick' must be a string", "m1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi","meta":{"item_id":123}})", ErrorCode::kBadRequest,
       "field 'meta.item_id' must be a string", "m1"},
  };
  for (const FieldCase& c : cases) {
    const ErrorFrame e = decode_error(c.frame);
    EXPECT_EQ(e.code, c.code) << c.frame;
    EXPECT_EQ(e.message, c.message) << c.frame;
    EXPECT_EQ(e.in_reply_to, c.in_reply_to) << c.frame;
  }
}

TEST(Codec, RejectsOverlongIdsAndText) {
  const std::string long_id(kLimits.max_id_bytes + 1, 'i');
  ErrorFrame e = decode_error(R"({"type":"message","id":")" + long_id + R"(","chat":"c","text":"hi"})");
  EXPECT_EQ(e.code, ErrorCode::kBadRequest);
  EXPECT_EQ(e.message, "field 'id' is too long (257 bytes, limit 256)");
  EXPECT_EQ(e.in_reply_to, long_id);  // readable: the gateway can still match the answer

  e = decode_error(R"({"type":"message","id":"m1","chat":")" + long_id + R"(","text":"hi"})");
  EXPECT_EQ(e.code, ErrorCode::kBadRequest);
  EXPECT_EQ(e.message, "field 'chat' is too long (257 bytes, limit 256)");
  EXPECT_EQ(e.in_reply_to, "m1");

  const std::string long_text(kLimits.max_text_bytes + 1, 't');
  e = decode_error(R"({"type":"message","id":"m1","chat":"c","text":")" + long_text + R"("})");
  EXPECT_EQ(e.code, ErrorCode::kTooLarge);
  EXPECT_EQ(e.message, "field 'text' is too long (4097 bytes, limit 4096)");
  EXPECT_EQ(e.in_reply_to, "m1");
}

TEST(Codec, TextLimitCountsBytesAfterUnescaping) {
  DecodeLimits limits;
  limits.max_text_bytes = 6;  // two Chinese characters
  EXPECT_TRUE(std::holds_alternative<InboundMessage>(
      decode_gateway_frame(R"({"type":"message","id":"1","chat":"c","text":"\u4eb2\u4eb2"})", limits)));
  EXPECT_EQ(decode_error(R"({"type":"message","id":"1","chat":"c","text":"亲亲亲"})", limits).code,
            ErrorCode::kTooLarge);
}

TEST(Codec, RejectsInvalidUtf8Bytes) {
  // In the text: the id is still readable, so the answer can be matched.
  ErrorFrame e = decode_error("{\"type\":\"message\",\"id\":\"m1\",\"chat\":\"c\",\"text\":\"\xe4\xba\"}");
  EXPECT_EQ(e.code, ErrorCode::kBadUtf8);
  EXPECT_EQ(e.in_reply_to, "m1");
  EXPECT_EQ(e.message, "frame is not valid UTF-8 (first bad byte at offset 47)");

  // In the id itself: not readable.
  e = decode_error("{\"type\":\"message\",\"id\":\"m\xff\",\"chat\":\"c\",\"text\":\"hi\"}");
  EXPECT_EQ(e.code, ErrorCode::kBadUtf8);
  EXPECT_EQ(e.in_reply_to, "");

  // Overlong form, surrogate, over U+10FFFF, outside any string, and in a frame that is not JSON either.
  for (const std::string& frame :
       {std::string("{\"type\":\"message\",\"id\":\"m1\",\"chat\":\"\xc0\xaf\",\"text\":\"\"}"),
        std::string("{\"type\":\"message\",\"id\":\"m1\",\"chat\":\"c\",\"text\":\"\xed\xa0\x80\"}"),
        std::string("{\"type\":\"message\",\"id\":\"m1\",\"chat\":\"c\",\"text\":\"\xf4\x90\x80\x80\"}"),
        std::string("\xff{\"type\":\"message\",\"id\":\"m1\"}"), std::string("{\"id\":\"m1\",\xfe")}) {
    e = decode_error(frame);
    EXPECT_EQ(e.code, ErrorCode::kBadUtf8) << frame;
  }
}

TEST(Codec, RejectsDeepNestingBeforeParsing) {
  const auto nested = [](int depth) {
    return R"({"type":"message","id":"m1","chat":"c","text":"hi","extra":)" + std::string(depth - 1, '[') +
           std::string(depth - 1, ']') + "}";
  };
  EXPECT_TRUE(std::holds_alternative<InboundMessage>(decode_gateway_frame(nested(kMaxJsonNesting), kLimits)));
  const ErrorFrame e = decode_error(nested(kMaxJsonNesting + 1));
  EXPECT_EQ(e.code, ErrorCode::kBadJson);
  EXPECT_EQ(e.message, "nesting too deep (limit 64)");

  // Brackets inside strings, escaped quotes included, do not count.
  const std::string brackets(1000, '[');
  const InboundMessage m =
      decode_message(R"({"type":"message","id":"m1","chat":"c","text":"\"\\)" + brackets + R"({{{"})");
  EXPECT_EQ(m.text, "\"\\" + brackets + "{{{");
}

TEST(Codec, SurvivesHundredThousandLevels) {
  const int depth = 100000;
  const std::string arrays = std::string(depth, '[') + std::string(depth, ']');
  ErrorFrame e = decode_error(arrays);
  EXPECT_EQ(e.code, ErrorCode::kBadJson);
  EXPECT_EQ(e.message, "nesting too deep (limit 64)");

  std::string objects;
  for (int i = 0; i < depth; ++i) objects += R"({"a":)";
  e = decode_error(objects);  // unterminated, too
  EXPECT_EQ(e.code, ErrorCode::kBadJson);
  EXPECT_EQ(e.message, "nesting too deep (limit 64)");

  e = decode_agent_error(std::string(depth, '['));
  EXPECT_EQ(e.code, ErrorCode::kBadJson);
}

// Deterministic pseudo-random bytes (xorshift), so a failure reproduces.
std::string junk(std::uint64_t& state, std::size_t size) {
  std::string out(size, '\0');
  for (char& c : out) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state & 0xFF);
  }
  return out;
}

TEST(Codec, DecodingNeverThrowsOnGarbage) {
  std::vector<std::string> hostile = {
      "",
      std::string(1, '\0'),
      std::string("{\"type\":\"message\",\"id\":\"1\",\"chat\":\"c\",\"text\":\"a\0b\"}", 51),
      std::string(100000, '['),
      std::string(100000, '{'),
      std::string(100000, ']'),
      std::string(100000, '"'),
      std::string(100000, '\\'),
      "\"" + std::string(100000, '\\'),
      R"({"type":"message","id":"1","chat":"c","text":"hi","ts":1e999})",
      R"({"type":"message","id":"1","chat":"c","text":"hi","ts":-0})",
      R"({"type":"message","id":"1","chat":"c","text":"hi","ts":123456789012345678901234567890})",
      R"({"type":"message","type":"message","id":"1","id":"2","chat":"c","text":"hi"})",
      R"({"":"","type":"message"})",
      "\xef\xbb\xbf{\"type\":\"message\",\"id\":\"1\",\"chat\":\"c\",\"text\":\"bom\"}",
      "{\"type\":\"message\"}\n{\"type\":\"message\"}",
      "/* comment */ {}",
      "\xed\xa0\x80\xed\xb0\x80",
      "\x80\x80\x80",
      "\xf8\x88\x80\x80\x80",
  };
  const std::string valid =
      R"({"type":"message","id":"m-1","chat":"shop:b","text":"亲😊","ts":1,"meta":{"item_id":"9"}})";
  for (std::size_t i = 0; i <= valid.size(); ++i) hostile.push_back(valid.substr(0, i));  // every prefix
  for (int c = 0; c < 256; ++c) hostile.emplace_back(1, static_cast<char>(c));
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 500; ++i) hostile.push_back(junk(state, 1 + i % 200));
  for (int i = 0; i < 200; ++i) {  // valid frames with one byte flipped
    std::string frame = valid;
    frame[i % frame.size()] = junk(state, 1)[0];
    hostile.push_back(frame);
  }

  for (const std::string& frame : hostile) {
    EXPECT_NO_THROW({
      const GatewayFrame g = decode_gateway_frame(frame, kLimits);
      if (const auto* error = std::get_if<ErrorFrame>(&g)) (void)encode(*error);
      const AgentFrame a = decode_agent_frame(frame, kLimits);
      if (const auto* error = std::get_if<ErrorFrame>(&a)) (void)encode(*error);
      (void)decode_agent_request(AgentOp::kSend, "T-1", frame, kLimits);
    }) << frame.substr(0, 80);
  }
}

// ---- answers to messages --------------------------------------------------------

TEST(Codec, EncodesReply) {
  ReplyFrame frame;
  frame.in_reply_to = "m-1001";
  frame.chat = "shop7:buyer42";
  frame.text = "亲，我们默认发中通哦😊";
  frame.intents = {"shipping.courier", "invoice.policy"};
  frame.confidence = 0.87;
  const std::string encoded = encode(frame);
  EXPECT_EQ(keys_in_order(encoded), (Keys{"type", "in_reply_to", "chat", "text", "intents", "confidence"}));
  EXPECT_EQ(encoded.rfind(R"({"type":"reply","in_reply_to":"m-1001",)", 0), 0u) << encoded;
  const Json json = parse(encoded);
  EXPECT_EQ(json["type"], "reply");
  EXPECT_EQ(json["in_reply_to"], "m-1001");
  EXPECT_EQ(json["chat"], "shop7:buyer42");
  EXPECT_EQ(json["text"], frame.text);
  EXPECT_EQ(json["intents"], Json({"shipping.courier", "invoice.policy"}));
  EXPECT_DOUBLE_EQ(json["confidence"].get<double>(), 0.87);
  EXPECT_NE(encoded.find("\"confidence\":0.87"), std::string::npos) << encoded;
}

TEST(Codec, ReplyWithNoIntentsHasAnEmptyArray) {
  // Built whole: GCC 12 sees a false -Wrestrict in assigning "c" to a field.
  const ReplyFrame frame{"1", "c", "", {}, 0};
  const Json json = parse(encode(frame));
  EXPECT_TRUE(json["intents"].is_array());
  EXPECT_TRUE(json["intents"].empty());
  EXPECT_EQ(json["confidence"], 0);
}

TEST(Codec, NonFiniteConfidenceIsWrittenAsZero) {
  ReplyFrame frame;
  frame.confidence = std::nan("");
  EXPECT_EQ(parse(encode(frame))["confidence"], 0.0);
  frame.confidence = std::numeric_limits<double>::infinity();
  EXPECT_EQ(parse(encode(frame))["confidence"], 0.0);
}

TEST(Codec, EncodesHandoff) {
  const HandoffFrame frame{"m-7", "shop7:buyer42", "亲，已为您转接人工客服，前面还有2位～", "T-12", "complaint", 3};
  const std::string encoded = encode(frame);
  EXPECT_EQ(keys_in_order(encoded), (Keys{"type", "in_reply_to", "chat", "text", "ticket", "reason", "position"}));
  const Json json = parse(encoded);
  EXPECT_EQ(json["type"], "handoff");
  EXPECT_EQ(json["in_reply_to"], "m-7");
  EXPECT_EQ(json["chat"], "shop7:buyer42");
  EXPECT_EQ(json["text"], frame.text);
  EXPECT_EQ(json["ticket"], "T-12");
  EXPECT_EQ(json["reason"], "complaint");
  EXPECT_EQ(json["position"], 3);
}

TEST(Codec, EncodesHold) {
  const std::string encoded = encode(HoldFrame{"m-8", "shop7:buyer42", "T-12"});
  EXPECT_EQ(encoded, R"({"type":"hold","in_reply_to":"m-8","chat":"shop7:buyer42","ticket":"T-12"})");
}

TEST(Codec, EncodesErrorWithAndWithoutId) {
  std::string encoded = encode(ErrorFrame{"m-9", ErrorCode::kTooLarge, "field 'text' is too long"});
  EXPECT_EQ(keys_in_order(encoded), (Keys{"type", "in_reply_to", "code", "message"}));
  Json json = parse(encoded);
  EXPECT_EQ(json["type"], "error");
  EXPECT_EQ(json["in_reply_to"], "m-9");
  EXPECT_EQ(json["code"], "too_large");
  EXPECT_EQ(json["message"], "field 'text' is too long");

  encoded = encode(ErrorFrame{"", ErrorCode::kBadJson, "invalid JSON"});
  EXPECT_EQ(encoded, R"({"type":"error","code":"bad_json","message":"invalid JSON"})");
}

TEST(Codec, EveryErrorCodeEncodesAsItsName) {
  for (const ErrorCode code : {ErrorCode::kBadJson, ErrorCode::kBadRequest, ErrorCode::kBadUtf8, ErrorCode::kTooLarge,
                               ErrorCode::kRateLimited, ErrorCode::kUnsupported, ErrorCode::kUnavailable}) {
    EXPECT_EQ(parse(encode(ErrorFrame{"1", code, "m"}))["code"], std::string(to_string(code)));
  }
}

TEST(Codec, DecodeErrorsEncodeToValidFrames) {
  const ErrorFrame e = decode_error(R"({"type":"message","id":"m1","chat":"c","text":5})");
  const Json json = parse(encode(e));
  EXPECT_EQ(json, Json({{"type", "error"},
                        {"in_reply_to", "m1"},
                        {"code", "bad_request"},
                        {"message", "field 'text' must be a string"}}));
}

TEST(Codec, EncodesAgentReply) {
  const std::string encoded = encode(AgentReplyFrame{"shop7:buyer42", "亲，已经帮您改好地址了", "小李", "T-12", ""});
  EXPECT_EQ(keys_in_order(encoded), (Keys{"type", "chat", "text", "agent", "ticket"}));
  const Json json = parse(encoded);
  EXPECT_EQ(json["type"], "agent_reply");
  EXPECT_EQ(json["chat"], "shop7:buyer42");
  EXPECT_EQ(json["text"], "亲，已经帮您改好地址了");
  EXPECT_EQ(json["agent"], "小李");
  EXPECT_EQ(json["ticket"], "T-12");
}

TEST(Codec, EncodesNotice) {
  const std::string encoded = encode(NoticeFrame{"shop7:buyer42", "亲，人工客服马上就来，请稍等～", "T-12", ""});
  EXPECT_EQ(keys_in_order(encoded), (Keys{"type", "chat", "text", "ticket"}));
  const Json json = parse(encoded);
  EXPECT_EQ(json["type"], "notice");
  EXPECT_EQ(json["text"], "亲，人工客服马上就来，请稍等～");
  EXPECT_EQ(json["ticket"], "T-12");
}

TEST(Codec, EncodersEscapeAndNeverThrowOnBadUtf8) {
  ReplyFrame frame;
  frame.in_reply_to = "m\xff";
  frame.chat = "c";
  frame.text = "a\"b\\c\n\t\x01 \xe4\xba";  // control characters and a truncated 亲
  frame.intents = {"\xc0\xaf"};
  std::string encoded;
  EXPECT_NO_THROW(encoded = encode(frame));
  const Json json = parse(encoded);
  EXPECT_EQ(json["in_reply_to"], "m\xEF\xBF\xBD");
  EXPECT_EQ(json["text"], "a\"b\\c\n\t\x01 \xEF\xBF\xBD");
  EXPECT_TRUE(json["intents"][0].is_string());
  EXPECT_NO_THROW((void)encode(ErrorFrame{"\xff", ErrorCode::kBadUtf8, "\xfe"}));
  EXPECT_NO_THROW((void)encode(NoticeFrame{"\xff", "\xff", "\xff", ""}));
  TicketView ticket = sample_ticket();
  ticket.transcript[0].text = "\xff\xfe";
  EXPECT_NO_THROW((void)encode_ticket(ticket));
}

// ---- agent commands ---------------------------------------------------------------

TEST(Codec, DecodesEveryAgentCommand) {
  AgentCommand c = decode_command(R"({"type":"list"})");
  EXPECT_EQ(c.op, AgentOp::kList);
  EXPECT_EQ(c.ticket, "");
  EXPECT_EQ(c.request_id, "");

  c = decode_command(R"({"type":"claim","ticket":"T-1","request_id":"r1","agent":"小李"})");
  EXPECT_EQ(c.op, AgentOp::kClaim);
  EXPECT_EQ(c.ticket, "T-1");
  EXPECT_EQ(c.request_id, "r1");
  EXPECT_EQ(c.agent, "小李");

  c = decode_command(R"({"type":"release","ticket":"T-2"})");
  EXPECT_EQ(c.op, AgentOp::kRelease);
  EXPECT_EQ(c.ticket, "T-2");
  EXPECT_EQ(c.agent, "");

  c = decode_command(R"({"type":"resolve","ticket":"T-3","request_id":null})");
  EXPECT_EQ(c.op, AgentOp::kResolve);
  EXPECT_EQ(c.ticket, "T-3");

  c = decode_command(R"({"type":"send","ticket":"T-4","text":"亲，已经帮您处理好啦😊","request_id":"r9"})");
  EXPECT_EQ(c.op, AgentOp::kSend);
  EXPECT_EQ(c.ticket, "T-4");
  EXPECT_EQ(c.text, "亲，已经帮您处理好啦😊");
  EXPECT_EQ(c.request_id, "r9");
}

TEST(Codec, AgentCommandsIgnoreFieldsTheyDoNotUse) {
  AgentCommand c = decode_command(R"({"type":"list","ticket":5,"text":[],"future":true})");
  EXPECT_EQ(c.op, AgentOp::kList);
  EXPECT_EQ(c.ticket, "");
  c = decode_command(R"({"type":"claim","ticket":"T-1","text":7})");
  EXPECT_EQ(c.op, AgentOp::kClaim);
  EXPECT_EQ(c.text, "");
}

TEST(Codec, RejectsBadAgentCommands) {
  const FieldCase cases[] = {
      {R"({"ticket":"T-1","request_id":"r1"})", ErrorCode::kBadRequest, "missing 'type'", "r1"},
      {R"({"type":1,"request_id":"r1"})", ErrorCode::kBadRequest, "field 'type' must be a string", "r1"},
      {R"({"type":"delete","ticket":"T-1","request_id":"r1"})", ErrorCode::kBadRequest, "unknown frame type 'delete'",
       "r1"},
      {R"({"type":"message","id":"m1","chat":"c","text":"hi"})", ErrorCode::kBadRequest, "unknown frame type 'message'",
       ""},
      {R"({"type":"claim","request_id":"r1"})", ErrorCode::kBadRequest, "missing 'ticket'", "r1"},
      {R"({"type":"release","ticket":12,"request_id":"r1"})", ErrorCode::kBadRequest, "field 'ticket' must be a string",
       "r1"},
      {R"({"type":"resolve","ticket":""})", ErrorCode::kBadRequest, "field 'ticket' must be a non-empty string", ""},
      {R"({"type":"send","ticket":"T-1","request_id":"r2"})", ErrorCode::kBadRequest, "missing 'text'", "r2"},
      {R"({"type":"send","ticket":"T-1","text":""})", ErrorCode::kBadRequest, "field 'text' must be a non-empty string",
       ""},
      {R"({"type":"send","ticket":"T-1","text":["hi"]})", ErrorCode::kBadRequest, "field 'text' must be a string", ""},
      {R"({"type":"claim","ticket":"T-1","agent":7,"request_id":"r3"})", ErrorCode::kBadRequest,
       "field 'agent' must be a string", "r3"},
      {R"({"type":"claim","ticket":"T-1","request_id":5})", ErrorCode::kBadRequest,
       "field 'request_id' must be a string", ""},
      {R"(["claim"])", ErrorCode::kBadRequest, "frame must be a JSON object", ""},
  };
  for (const FieldCase& c : cases) {
    const ErrorFrame e = decode_agent_error(c.frame);
    EXPECT_EQ(e.code, c.code) << c.frame;
    EXPECT_EQ(e.message, c.message) << c.frame;
    EXPECT_EQ(e.in_reply_to, c.in_reply_to) << c.frame;
  }
  EXPECT_EQ(decode_agent_error("{\"type\":\"claim\"").code, ErrorCode::kBadJson);

  const ErrorFrame utf8 =
      decode_agent_error("{\"type\":\"send\",\"ticket\":\"T-1\",\"text\":\"\xff\",\"request_id\":\"r4\"}");
  EXPECT_EQ(utf8.code, ErrorCode::kBadUtf8);
  EXPECT_EQ(utf8.in_reply_to, "r4");
}

TEST(Codec, AgentTextAndIdsAreBounded) {
  const std::string long_text(kLimits.max_text_bytes + 1, 't');
  ErrorFrame e =
      decode_agent_error(R"({"type":"send","ticket":"T-1","request_id":"r1","text":")" + long_text + R"("})");
  EXPECT_EQ(e.code, ErrorCode::kTooLarge);
  EXPECT_EQ(e.in_reply_to, "r1");

  const std::string long_id(kLimits.max_id_bytes + 1, 'x');
  e = decode_agent_error(R"({"type":"claim","ticket":")" + long_id + R"("})");
  EXPECT_EQ(e.code, ErrorCode::kBadRequest);
  EXPECT_EQ(e.message, "field 'ticket' is too long (257 bytes, limit 256)");
  e = decode_agent_error(R"({"type":"claim","ticket":"T-1","agent":")" + long_id + R"("})");
  EXPECT_EQ(e.message, "field 'agent' is too long (257 bytes, limit 256)");
}

// ---- agent HTTP bodies -------------------------------------------------------------

TEST(Codec, DecodesAgentHttpBodies) {
  AgentFrame decoded = decode_agent_request(AgentOp::kClaim, "T-1", "", kLimits);
  ASSERT_TRUE(std::holds_alternative<AgentCommand>(decoded));
  EXPECT_EQ(std::get<AgentCommand>(decoded).op, AgentOp::kClaim);
  EXPECT_EQ(std::get<AgentCommand>(decoded).ticket, "T-1");

  decoded = decode_agent_request(AgentOp::kSend, "T-1", R"({"agent":"小李","text":"亲，在的～"})", kLimits);
  ASSERT_TRUE(std::holds_alternative<AgentCommand>(decoded));
  const AgentCommand& send = std::get<AgentCommand>(decoded);
  EXPECT_EQ(send.op, AgentOp::kSend);
  EXPECT_EQ(send.ticket, "T-1");
  EXPECT_EQ(send.agent, "小李");
  EXPECT_EQ(send.text, "亲，在的～");

  decoded = decode_agent_request(AgentOp::kResolve, "T-1", " \r\n", kLimits);
  EXPECT_TRUE(std::holds_alternative<AgentCommand>(decoded));
}

TEST(Codec, RejectsBadAgentHttpBodies) {
  const auto error_of = [](AgentOp op, std::string_view ticket, std::string_view body) {
    AgentFrame decoded = decode_agent_request(op, ticket, body, kLimits);
    EXPECT_TRUE(std::holds_alternative<ErrorFrame>(decoded)) << body;
    return std::holds_alternative<ErrorFrame>(decoded) ? std::get<ErrorFrame>(decoded) : ErrorFrame{};
  };
  EXPECT_EQ(error_of(AgentOp::kSend, "T-1", "").message, "missing 'text'");
  EXPECT_EQ(error_of(AgentOp::kSend, "T-1", R"({"text":""})").code, ErrorCode::kBadRequest);
  EXPECT_EQ(error_of(AgentOp::kList, "T-1", "").code, ErrorCode::kBadRequest);
  EXPECT_EQ(error_of(AgentOp::kClaim, "", "").message, "field 'ticket' must be a non-empty string");
  EXPECT_EQ(error_of(AgentOp::kClaim, std::string(300, 'x'), "").code, ErrorCode::kBadRequest);
  EXPECT_EQ(error_of(AgentOp::kClaim, "T-\xff", "").code, ErrorCode::kBadUtf8);
  EXPECT_EQ(error_of(AgentOp::kClaim, "T-1", "agent=wang").code, ErrorCode::kBadJson);
  EXPECT_EQ(error_of(AgentOp::kClaim, "T-1", R"("wang")").code, ErrorCode::kBadRequest);
  EXPECT_EQ(error_of(AgentOp::kClaim, "T-1", R"({"agent":1})").message, "field 'agent' must be a string");
  const ErrorFrame e = error_of(AgentOp::kSend, "T-1", R"({"request_id":"r5","text":5})");
  EXPECT_EQ(e.in_reply_to, "r5");
  EXPECT_EQ(e.message, "field 'text' must be a string");
}

// ---- agent answers -----------------------------------------------------------------

TEST(Codec, EncodesTicketObject) {
  const TicketView ticket = sample_ticket();
  const std::string encoded = encode_ticket(ticket);
  EXPECT_EQ(keys_in_order(encoded),
            (Keys{"id", "chat", "reason", "state", "agent", "priority", "position", "opened_ms", "transcript"}));
  expect_ticket_object(parse(encoded), ticket);
}

TEST(Codec, TicketObjectOmitsAnEmptyAgent) {
  TicketView ticket = sample_ticket();
  ticket.agent.clear();
  ticket.state = "waiting";
  ticket.position = 2;
  ticket.transcript.clear();
  const std::string encoded = encode_ticket(ticket);
  EXPECT_EQ(keys_in_order(encoded),
            (Keys{"id", "chat", "reason", "state", "priority", "position", "opened_ms", "transcript"}));
  const Json json = parse(encoded);
  expect_ticket_object(json, ticket);
  EXPECT_TRUE(json["transcript"].is_array());
}

TEST(Codec, TicketObjectCarriesTheBuyersChannelAndMeta) {
  TicketView ticket = sample_ticket();
  ticket.channel = "taobao";
  ticket.buyer_nick = "tb_buyer";
  ticket.item_id = "item-9";
  const std::string encoded = encode_ticket(ticket);
  EXPECT_EQ(keys_in_order(encoded), (Keys{"id", "chat", "reason", "state", "agent", "priority", "position",
                                          "opened_ms", "channel", "buyer_nick", "item_id", "transcript"}));
  const Json json = parse(encoded);
  EXPECT_EQ(json["channel"], "taobao");
  EXPECT_EQ(json["buyer_nick"], "tb_buyer");
  EXPECT_EQ(json["item_id"], "item-9");
}

TEST(Codec, EncodesAgentOk) {
  const TicketView ticket = sample_ticket();
  AgentOkFrame ok{AgentOp::kClaim, "r1", std::make_shared<const TicketView>(ticket)};
  std::string encoded = encode(ok);
  EXPECT_EQ(keys_in_order(encoded), (Keys{"type", "op", "request_id", "ticket"}));
  Json json = parse(encoded);
  EXPECT_EQ(json["type"], "ok");
  EXPECT_EQ(json["op"], "claim");
  EXPECT_EQ(json["request_id"], "r1");
  expect_ticket_object(json["ticket"], ticket);

  encoded = encode(Answer(AgentOkFrame{AgentOp::kResolve, "", nullptr}));
  EXPECT_EQ(encoded, R"({"type":"ok","op":"resolve"})");
}

TEST(Codec, EncodesQueue) {
  EXPECT_EQ(encode(QueueFrame{}), R"({"type":"queue","tickets":[]})");
  TicketView waiting = sample_ticket();
  waiting.id = "T-8";
  waiting.agent.clear();
  waiting.state = "waiting";
  waiting.position = 1;
  const std::vector<TicketView> tickets = {waiting, sample_ticket()};
  const std::string encoded = encode(QueueFrame{tickets});
  EXPECT_EQ(keys_in_order(encoded), (Keys{"type", "tickets"}));
  const Json json = parse(encoded);
  EXPECT_EQ(json["type"], "queue");
  ASSERT_EQ(json["tickets"].size(), 2u);
  expect_ticket_object(json["tickets"][0], tickets[0]);
  expect_ticket_object(json["tickets"][1], tickets[1]);
}

TEST(Codec, EncodesTicketEvents) {
  const TicketView ticket = sample_ticket();
  for (const auto& [kind, event] : std::vector<std::pair<TicketEventKind, std::string_view>>{
           {TicketEventKind::kOpened, "opened"},
           {TicketEventKind::kUpdated, "updated"},
           {TicketEventKind::kClaimed, "claimed"},
           {TicketEventKind::kReleased, "released"},
           {TicketEventKind::kResolved, "resolved"}}) {
    const std::string encoded = encode(TicketEvent{kind, ticket});
    EXPECT_EQ(keys_in_order(encoded), (Keys{"type", "event", "ticket"}));
    const Json json = parse(encoded);
    EXPECT_EQ(json["type"], "ticket");
    EXPECT_EQ(json["event"], std::string(event));
    expect_ticket_object(json["ticket"], ticket);
  }
}

// The journal keeps answers as sent and replay turns them back into values:
// encoded again they are the same bytes (a resend after a restart).
TEST(Codec, DecodedAnswersEncodeToTheSameBytes) {
  const std::vector<Answer> answers = {
      ReplyFrame{"m1", "c1", "亲，发中通哦\n\"引号\"", {"shipping.courier", "greeting"}, 0.8371234567891},
      ReplyFrame{"m2", "c1", "", {}, 0},
      HandoffFrame{"m3", "c1", "已为您转人工，您排在第1位", "T-12", "asked_for_human", 1},
      HoldFrame{"m4", "c1", "T-12"},
  };
  for (const Answer& answer : answers) {
    const std::string encoded = encode(answer);
    const std::optional<Answer> decoded = decode_answer(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(decoded->index(), answer.index());
    EXPECT_EQ(encode(*decoded), encoded);
  }
  EXPECT_FALSE(decode_answer(R"({"type":"error","code":"bad_json","message":"x"})").has_value());
  EXPECT_FALSE(decode_answer("not json").has_value());
}

TEST(Codec, AnswerKindsSayWhetherPushesFollow) {
  EXPECT_TRUE(hands_to_human(HandoffFrame{}));
  EXPECT_TRUE(hands_to_human(HoldFrame{}));
  EXPECT_FALSE(hands_to_human(ReplyFrame{}));
  EXPECT_FALSE(hands_to_human(ErrorFrame{}));
  EXPECT_EQ(error_code(ErrorFrame{"", ErrorCode::kUnavailable, ""}), ErrorCode::kUnavailable);
  EXPECT_EQ(error_code(AgentOkFrame{}), std::nullopt);
}

}  // namespace
}  // namespace xiaoer::proto
