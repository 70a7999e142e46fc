#include "daemon/nlu/emoticons.hpp"

#include <gtest/gtest.h>

namespace xiaoer::nlu {
namespace {

TEST(Emoji, EachKnownEmojiHasItsNameAndOtherCharactersNone) {
  EXPECT_EQ(emoji_canonical(0x2639), "[难过]");   // the lowest code point of the table
  EXPECT_EQ(emoji_canonical(0x2764), "[爱心]");   // the two ends of the gap no look-up enters
  EXPECT_EQ(emoji_canonical(0x1F339), "[玫瑰]");
  EXPECT_EQ(emoji_canonical(0x1F60A), "[微笑]");
  EXPECT_EQ(emoji_canonical(0x1F44F), "[鼓掌]");
  EXPECT_EQ(emoji_canonical(0x1F92C), "[发怒]");  // the highest
  for (const char32_t other : {char32_t{0}, char32_t{'a'}, char32_t{0x2638}, char32_t{0x4EB2}, char32_t{0x1F60B},
                               char32_t{0x1F92D}, char32_t{0x10FFFF}}) {
    EXPECT_EQ(emoji_canonical(other), "") << std::hex << static_cast<std::uint32_t>(other);
  }
}

}  // namespace
}  // namespace xiaoer::nlu
