#include "daemon/common/json_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

namespace xiaoer::common {
namespace {

TEST(JsonWriter, WritesNestedValuesWithCommas) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("a", "x").key("n").value(42).key("list").begin_array();
  w.value(1).value(2.5).value(true).begin_object().field("k", "v").end_object();
  w.end_array().key("empty").begin_array().end_array().end_object();
  EXPECT_EQ(out, R"({"a":"x","n":42,"list":[1,2.5,true,{"k":"v"}],"empty":[]})");
  EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded());
}

// Issue 10, defect 7: past depth 16 it wrote outside its nesting array
// (ASan: stack-buffer-overflow) and placed commas wrongly.
TEST(JsonWriter, NestsDeeperThanItsInlineDepth) {
  std::string out;
  JsonWriter w(out);
  constexpr int kDepth = 40;
  for (int i = 0; i < kDepth; ++i) w.begin_array().value(i);
  for (int i = 0; i < kDepth; ++i) {
    w.end_array();
    if (i + 1 < kDepth) w.value(-i);  // after the array just closed, in its parent
  }
  const nlohmann::json parsed = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << out;
  const nlohmann::json* level = &parsed;
  for (int i = 0; i < kDepth - 1; ++i) {
    ASSERT_TRUE(level->is_array() && level->size() == 3u && (*level)[0] == i) << "depth " << i << ": " << out;
    level = &(*level)[1];
  }
  EXPECT_EQ(*level, nlohmann::json::array({kDepth - 1}));
}

TEST(JsonWriter, EscapesAndReplacesBadUtf8) {
  std::string out;
  append_json_string(out, "亲\"\\\n\t\x01\x7f");
  EXPECT_EQ(out, "\"亲\\\"\\\\\\n\\t\\u0001\x7f\"");
  out.clear();
  append_json_string(out, "a\xe4\xba" "b\xff");
  EXPECT_EQ(out, "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\"");
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
}

// The fast path (three-byte sequences checked without decoding) must give
// what decoding gives: a special byte or a sequence at every place, and the
// invalid sequences that look like the fast ones.
TEST(JsonWriter, EscapesTheSameWhereverASpecialByteFalls) {
  for (std::size_t at = 0; at < 17; ++at) {
    for (const std::string_view special : {"\"", "\\", "\n", "\x1f", "亲"}) {
      std::string text(20, 'a');
      text.replace(at, 1, special);
      std::string out;
      append_json_string(out, text);
      EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), text) << at << " " << out;
    }
  }
  const auto escaped = [](std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
  };
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(escaped("abcdefg亲亲"), "\"abcdefg亲亲\"");
  EXPECT_EQ(escaped("\xED\xA0\x80" "abcdefgh"), "\"" + fffd + "abcdefgh\"");  // a surrogate
  EXPECT_EQ(escaped("\xE0\x80\x80" "abcdefgh"), "\"" + fffd + "abcdefgh\"");  // overlong
  EXPECT_EQ(escaped("\xEF\xBF\xBF"), "\"\xEF\xBF\xBF\"");                   // U+FFFF is a code point
  EXPECT_EQ(escaped("\xE4\xBA"), "\"" + fffd + "\"");                       // cut short
  EXPECT_EQ(escaped("\xE4\xBA" "a"), "\"" + fffd + "a\"");
  EXPECT_EQ(escaped("\xE4\x41\xBA"), "\"" + fffd + "A" + fffd + "\"");
  EXPECT_EQ(escaped("\xF0\x9F\x98\x80 ok"), "\"\xF0\x9F\x98\x80 ok\"");
}

TEST(JsonWriter, RandomValidTextComesBackWhole) {
  std::mt19937 random(20261130);
  const std::vector<std::string> pieces = {"a", "Z", " ", "\"", "\\", "\n", "\x01", "\x7f", "亲", "码",
                                           "\xC3\xA9", "\xF0\x9F\x98\x80", "\xEE\x80\x80", "abcdefgh"};
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int length = static_cast<int>(random() % 40);
    for (int i = 0; i < length; ++i) text += pieces[random() % pieces.size()];
    std::string out;
    append_json_string(out, text);
    ASSERT_EQ(nlohmann::json::parse(out).get<std::string>(), text) << out;
  }
}

TEST(JsonWriter, NonFiniteNumbersBecomeZero) {
  std::string out;
  JsonWriter(out).begin_array().value(std::numeric_limits<double>::infinity()).value(0.1).end_array();
  EXPECT_EQ(out, "[0,0.1]");
}

}  // namespace
}  // namespace xiaoer::common
