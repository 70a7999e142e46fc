#include "daemon/proto/plain_message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>

namespace xiaoer::proto {
namespace {

const DecodeLimits kLimits;

void expect_same(const InboundMessage& a, const InboundMessage& b, std::string_view frame) {
  EXPECT_EQ(a.id, b.id) << frame;
  EXPECT_EQ(a.chat, b.chat) << frame;
  EXPECT_EQ(a.text, b.text) << frame;
  EXPECT_EQ(a.ts, b.ts) << frame;
  EXPECT_EQ(a.channel, b.channel) << frame;
  EXPECT_EQ(a.buyer_nick, b.buyer_nick) << frame;
  EXPECT_EQ(a.item_id, b.item_id) << frame;
  EXPECT_EQ(a.meta, b.meta) << frame;
}

// Taken by the fast path, and read exactly as the full decoder reads it.
void expect_taken(std::string_view frame, const DecodeLimits& limits = kLimits) {
  const std::optional<InboundMessage> plain = decode_plain_message(frame, limits);
  ASSERT_TRUE(plain.has_value()) << "left to the full decoder: " << frame;
  const GatewayFrame full = decode_gateway_frame_in_full(frame, limits);
  ASSERT_TRUE(std::holds_alternative<InboundMessage>(full)) << frame;
  expect_same(*plain, std::get<InboundMessage>(full), frame);
}

void expect_left(std::string_view frame, const DecodeLimits& limits = kLimits) {
  EXPECT_FALSE(decode_plain_message(frame, limits).has_value()) << "taken by the fast path: " << frame;
}

TEST(PlainMessage, ReadsTheEverydayFrameAsTheFullDecoderDoes) {
  expect_taken(R"({"type":"message","id":"m-1","chat":"shop7:buyer42","text":"亲 在吗","ts":1700000000000,)"
               R"("channel":"taobao","meta":{"buyer_nick":"小王","item_id":"item-9"}})");
  expect_taken(R"({"type":"message","id":"m-1","chat":"c","text":""})");
  // Escapes, a surrogate pair, \u0000, nulls as absent, unknown scalars.
  expect_taken(R"( {"text":"\u53d1\u4ec0\u4e48 \ud83d\ude0a \"q\" \\ \/ \b\f\n\r\t \u0000","id":"m\u002d2",)"
               R"("chat":"c","type":"message","ts":null,"channel":null,"meta":null,"x":1.5e3,"y":true,"z":null} )");
  expect_taken(R"({"type":"message","id":"m","chat":"c","text":"t","ts":9223372036854775807})");
}

TEST(PlainMessage, KeepsMetaKeysInKeyOrderWithinTheLimits) {
  DecodeLimits tight;
  tight.max_id_bytes = 8;
  const std::string frame =
      R"({"type":"message","id":"m","chat":"c","text":"t","meta":{"zz":"1","buyer_nick":"n","a":"2",)"
      R"("long_key_here":"3","b":"long value here","item_id":null,"m":null,"c":"\u4eb2"}})";
  expect_taken(frame, tight);
  const std::optional<InboundMessage> m = decode_plain_message(frame, tight);
  ASSERT_TRUE(m);
  const std::vector<std::pair<std::string, std::string>> kept = {{"a", "2"}, {"c", "亲"}, {"zz", "1"}};
  EXPECT_EQ(m->meta, kept);
  EXPECT_EQ(m->buyer_nick, "n");

  std::string many = R"({"type":"message","id":"m","chat":"c","text":"t","meta":{)";
  for (char key = 'a'; key < 'a' + 20; ++key) {
    if (key != 'a') many += ',';
    many.append("\"k").append(1, key).append("\":\"v\"");
  }
  many += "}}";
  expect_taken(many);
  EXPECT_EQ(decode_plain_message(many, kLimits)->meta.size(), kMaxMetaKeys);
}

TEST(PlainMessage, LeavesEveryOtherFrameToTheFullDecoder) {
  for (const std::string_view frame : {
           R"({"type":"hello","acks":true})",
           R"({"type":"ack","push_ids":["p-1"]})",
           R"({"type":"message","id":"m","chat":"c"})",                          // no text
           R"({"type":"message","id":"","chat":"c","text":"t"})",                // empty id
           R"({"type":"message","id":"m","chat":"c","text":"t","ts":-1})",
           R"({"type":"message","id":"m","chat":"c","text":"t","ts":1.0})",
           R"({"type":"message","id":"m","chat":"c","text":"t","ts":9223372036854775808})",
           R"({"type":"message","id":"m","chat":"c","text":"t","channel":7})",
           R"({"type":"message","id":"m","chat":"c","text":"t","meta":[]})",
           R"({"type":"message","id":"m","chat":"c","text":"t","meta":{"k":1}})",   // written as JSON text
           R"({"type":"message","id":"m","chat":"c","text":"t","meta":{"k":"a","k":"b"}})",
           R"({"type":"message","id":"m","chat":"c","text":"a","text":"b"})",     // the last counts there
           R"({"type":"message","id":"m","chat":"c","text":"t","x":{"deep":[1]}})",  // its nesting limit
           R"({"type":"message","id":"m","chat":"c","text":"lone \udc00"})",
           R"({"type":"message","id":"m","chat":"c","text":"t"} x)",
           R"(["type","message"])",
           "{\"type\":\"message\",\"id\":\"m\",\"chat\":\"c\",\"text\":\"\xC3\x28\"}",  // not UTF-8
       }) {
    expect_left(frame);
  }
  DecodeLimits tight;
  tight.max_id_bytes = 4;
  tight.max_text_bytes = 4;
  expect_left(R"({"type":"message","id":"12345","chat":"c","text":"t"})", tight);
  expect_left(R"({"type":"message","id":"m","chat":"c","text":"12345"})", tight);
}

TEST(PlainMessage, DecodeGatewayFrameAnswersWhatTheFullDecoderAnswers) {
  // Left to it: the same error, in reply to the same id.
  const std::string_view frame = R"({"type":"message","id":"m-9","chat":"c","text":"t","ts":-1})";
  const GatewayFrame fast = decode_gateway_frame(frame, kLimits);
  const GatewayFrame full = decode_gateway_frame_in_full(frame, kLimits);
  ASSERT_TRUE(std::holds_alternative<ErrorFrame>(fast));
  EXPECT_EQ(std::get<ErrorFrame>(fast).message, std::get<ErrorFrame>(full).message);
  EXPECT_EQ(std::get<ErrorFrame>(fast).in_reply_to, "m-9");
}

}  // namespace
}  // namespace xiaoer::proto
