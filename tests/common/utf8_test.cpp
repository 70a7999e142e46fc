#include "daemon/common/utf8.hpp"

#include <gtest/gtest.h>

namespace xiaoer::common {
namespace {

TEST(Utf8, DecodesAndEncodesRoundTrip) {
  const std::string text = "a亲😊";
  std::size_t pos = 0;
  std::string out;
  while (pos < text.size()) append_utf8(out, decode_utf8(text, pos));
  EXPECT_EQ(out, text);
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_TRUE(is_valid_utf8("亲，在吗"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xe4\xba"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // over U+10FFFF
}

TEST(Utf8, DecodingAlwaysAdvances) {
  const std::string junk = "\x80\x80\xfe";
  std::size_t pos = 0;
  int steps = 0;
  while (pos < junk.size()) {
    EXPECT_EQ(decode_utf8(junk, pos), kInvalidCodepoint);
    ++steps;
  }
  EXPECT_EQ(steps, 3);
}

}  // namespace
}  // namespace xiaoer::common
