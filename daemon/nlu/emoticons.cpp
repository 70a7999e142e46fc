#include "daemon/nlu/emoticons.hpp"

#include <algorithm>
#include <array>

namespace xiaoer::nlu {
namespace {

// 旺旺 and QQ-style codes seen in shop chats, and the bracketed names that
// Taobao's and JD's clients insert. Longest codes first is not required: the
// normaliser picks the longest match itself.
constexpr std::array kCodes = {
    EmoticonCode{"/:^_^", "[微笑]"},   EmoticonCode{"/::)", "[微笑]"},
    EmoticonCode{"/:-)", "[微笑]"},    EmoticonCode{"/:^$^", "[害羞]"},
    EmoticonCode{"/::d", "[大笑]"},    EmoticonCode{"/::D", "[大笑]"},
    EmoticonCode{"/::(", "[难过]"},    EmoticonCode{"/:'(", "[哭]"},
    EmoticonCode{"/::<", "[哭]"},      EmoticonCode{"/::@", "[发怒]"},
    EmoticonCode{"/:@>", "[发怒]"},    EmoticonCode{"/:rose", "[玫瑰]"},
    EmoticonCode{"/:heart", "[爱心]"}, EmoticonCode{"/:strong", "[赞]"},
    EmoticonCode{"/:ok", "[ok]"},      EmoticonCode{"/:bye", "[再见]"},
    EmoticonCode{"/:handclap", "[鼓掌]"},
    EmoticonCode{"[微笑]", "[微笑]"},  EmoticonCode{"[笑]", "[微笑]"},
    EmoticonCode{"[大笑]", "[大笑]"},  EmoticonCode{"[呲牙]", "[大笑]"},
    EmoticonCode{"[憨笑]", "[大笑]"},  EmoticonCode{"[害羞]", "[害羞]"},
    EmoticonCode{"[难过]", "[难过]"},  EmoticonCode{"[哭]", "[哭]"},
    EmoticonCode{"[流泪]", "[哭]"},    EmoticonCode{"[大哭]", "[哭]"},
    EmoticonCode{"[发怒]", "[发怒]"},  EmoticonCode{"[怒]", "[发怒]"},
    EmoticonCode{"[生气]", "[发怒]"},  EmoticonCode{"[玫瑰]", "[玫瑰]"},
    EmoticonCode{"[爱心]", "[爱心]"},  EmoticonCode{"[心]", "[爱心]"},
    EmoticonCode{"[赞]", "[赞]"},      EmoticonCode{"[强]", "[赞]"},
    EmoticonCode{"[ok]", "[ok]"},      EmoticonCode{"[OK]", "[ok]"},
    EmoticonCode{"[再见]", "[再见]"},  EmoticonCode{"[拜拜]", "[再见]"},
    EmoticonCode{"[抱拳]", "[抱拳]"},  EmoticonCode{"[谢谢]", "[抱拳]"},
    EmoticonCode{"[鼓掌]", "[鼓掌]"},
};

struct EmojiName {
  char32_t cp;
  std::string_view canonical;
};

constexpr std::array kEmoji = {
    EmojiName{0x1F60A, "[微笑]"}, EmojiName{0x1F642, "[微笑]"}, EmojiName{0x263A, "[微笑]"},
    EmojiName{0x1F603, "[大笑]"}, EmojiName{0x1F604, "[大笑]"}, EmojiName{0x1F601, "[大笑]"},
    EmojiName{0x1F602, "[大笑]"}, EmojiName{0x1F60C, "[害羞]"}, EmojiName{0x1F633, "[害羞]"},
    EmojiName{0x1F622, "[哭]"},   EmojiName{0x1F62D, "[哭]"},   EmojiName{0x1F61E, "[难过]"},
    EmojiName{0x1F614, "[难过]"}, EmojiName{0x2639, "[难过]"},  EmojiName{0x1F620, "[发怒]"},
    EmojiName{0x1F621, "[发怒]"}, EmojiName{0x1F624, "[发怒]"}, EmojiName{0x1F92C, "[发怒]"},
    EmojiName{0x1F339, "[玫瑰]"}, EmojiName{0x2764, "[爱心]"},  EmojiName{0x1F496, "[爱心]"},
    EmojiName{0x1F44D, "[赞]"},   EmojiName{0x1F44C, "[ok]"},   EmojiName{0x1F44B, "[再见]"},
    EmojiName{0x1F64F, "[抱拳]"}, EmojiName{0x1F44F, "[鼓掌]"},
};

// Every CJK character of a text is looked up: by binary search, not a scan,
// and not at all inside the widest gap between two emoji of the table
// (U+2764 to U+1F339: all of CJK).
constexpr auto kEmojiByCodePoint = [] {
  auto sorted = kEmoji;
  std::sort(sorted.begin(), sorted.end(), [](const EmojiName& a, const EmojiName& b) { return a.cp < b.cp; });
  return sorted;
}();

constexpr std::size_t kWidestGapAfter = [] {
  std::size_t widest = 0;
  for (std::size_t i = 1; i + 1 < kEmojiByCodePoint.size(); ++i) {
    const auto gap = [](std::size_t k) { return kEmojiByCodePoint[k + 1].cp - kEmojiByCodePoint[k].cp; };
    if (gap(i) > gap(widest)) widest = i;
  }
  return widest;
}();
static_assert(kEmojiByCodePoint[kWidestGapAfter].cp < 0x3000 && kEmojiByCodePoint[kWidestGapAfter + 1].cp > 0x9FFF);

}  // namespace

std::span<const EmoticonCode> emoticon_codes() { return kCodes; }

std::string_view emoji_canonical(char32_t cp) {
  if (cp > kEmojiByCodePoint[kWidestGapAfter].cp && cp < kEmojiByCodePoint[kWidestGapAfter + 1].cp) return {};
  const auto* found = std::lower_bound(kEmojiByCodePoint.begin(), kEmojiByCodePoint.end(), cp,
                                       [](const EmojiName& e, char32_t wanted) { return e.cp < wanted; });
  return found != kEmojiByCodePoint.end() && found->cp == cp ? found->canonical : std::string_view{};
}

}  // namespace xiaoer::nlu
