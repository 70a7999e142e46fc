#include "daemon/nlu/core_form.hpp"

#include <array>

#include "daemon/common/utf8.hpp"

namespace xiaoer::nlu {
namespace {

constexpr std::string_view kNameToken = "[姓名x]";
constexpr std::size_t kMaxTokenHan = 4;
constexpr std::size_t kMaxTokenLetters = 12;

// Longer openers first: 亲亲 before 亲.
constexpr std::array<std::string_view, 10> kOpeners = {"亲爱的", "亲亲", "亲",   "您好", "你好",
                                                       "老板",   "掌柜的", "掌柜", "店家", "客服"};
constexpr std::array<std::string_view, 2> kOpenerParticles = {"呀", "啊"};

bool is_han(char32_t cp) { return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF); }

bool is_emoji(char32_t cp) {
  return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) || (cp >= 0x2300 && cp <= 0x23FF) ||
         cp == 0x2B50 || cp == 0x2B55;
}

bool is_separator(char c) { return c == ',' || c == '.' || c == '!' || c == '~' || c == ' '; }

bool is_trailing(char32_t cp) {
  switch (cp) {
    case U'啊': case U'呀': case U'哈': case U'哦': case U'噢': case U'喔': case U'啦': case U'哒':
    case U'~': case U',': case U'.': case U' ':
      return true;
    default:
      return false;
  }
}

// Bytes of the emoticon token or emoji at the start of `text`, or 0.
std::size_t decoration_length(std::string_view text) {
  if (text.front() == '[') {
    const std::size_t close = text.find(']', 1);
    if (close == std::string_view::npos || close == 1) return 0;
    const std::string_view inside = text.substr(1, close - 1);
    std::size_t han = 0, letters = 0, pos = 0;
    while (pos < inside.size()) {
      const char32_t cp = common::decode_utf8(inside, pos);
      if (is_han(cp)) {
        ++han;
      } else if (cp >= 'a' && cp <= 'z') {
        ++letters;
      } else {
        return 0;
      }
    }
    const bool token = (letters == 0 && han <= kMaxTokenHan) || (han == 0 && letters <= kMaxTokenLetters);
    return token ? close + 1 : 0;
  }
  std::size_t pos = 0;
  return is_emoji(common::decode_utf8(text, pos)) ? pos : 0;
}

// Where the first emoticon token or emoji of `text` starts, or npos. A
// token starts with '[', an emoji we remove with the byte that leads
// U+2000–U+2FFF or U+10000–U+3FFFF: three memchr-fast searches, and most
// messages have none of them.
std::size_t first_decoration(std::string_view text) {
  std::size_t first = std::string_view::npos;
  for (const char lead : {'[', '\xE2', '\xF0'}) {
    for (std::size_t i = text.find(lead); i < first; i = text.find(lead, i + 1)) {
      if (decoration_length(text.substr(i)) > 0) {
        first = i;
        break;
      }
    }
  }
  return first;
}

// `text` without its emoticon tokens and emoji (the first at `from`),
// spaces collapsed, into `out`.
void remove_decorations(std::string_view text, std::size_t from, std::string& out) {
  out.assign(text.substr(0, from));
  std::size_t pos = from;
  while (pos < text.size()) {
    if (const std::size_t length = decoration_length(text.substr(pos)); length > 0) {
      pos += length;
      continue;
    }
    const std::size_t start = pos;
    common::decode_utf8(text, pos);
    if (text[start] == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.append(text, start, pos - start);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
}

// Bytes of the opener (with its separators) at the start of `text`, or 0.
std::size_t opener_length(std::string_view text) {
  std::size_t n = 0;
  if (text.starts_with(kNameToken)) {
    n = kNameToken.size();
  } else {
    for (const std::string_view opener : kOpeners) {
      if (!text.starts_with(opener)) continue;
      n = opener.size();
      for (const std::string_view particle : kOpenerParticles) {
        if (text.substr(n).starts_with(particle)) n += particle.size();
      }
      // Without a separator it is a word (亲自, 客服电话), not an opener.
      if (n == text.size() || !is_separator(text[n])) return 0;
      break;
    }
    if (n == 0) return 0;
  }
  while (n < text.size() && is_separator(text[n])) ++n;
  return n;
}

// Where the trailing run of particles, marks and [姓名x] starts (the end
// of `text` when there is none), read backwards from the end: a message
// costs only its last few characters.
std::size_t trailing_start(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0) {
    if (text.substr(0, end).ends_with(kNameToken)) {
      end -= kNameToken.size();
      continue;
    }
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    std::size_t pos = start;
    if (!is_trailing(common::decode_utf8(text, pos)) || pos != end) break;
    end = start;
  }
  return end;
}

}  // namespace

void reduce_to_core(std::string& text) {
  // Removing a token can join its neighbours into a new one ("[微[微笑]笑]"):
  // again until nothing is removed, so that the core is its own core.
  std::string next;
  for (std::size_t from = first_decoration(text); from != std::string::npos; from = first_decoration(text)) {
    remove_decorations(text, from, next);
    if (next.empty()) break;  // never all of it: a bare [微笑] stays
    text.swap(next);
  }
  std::size_t begin = 0;
  for (std::size_t length = opener_length(text); length > 0 && begin + length < text.size();
       length = opener_length(std::string_view(text).substr(begin))) {
    begin += length;
  }
  const std::size_t end = begin + trailing_start(std::string_view(text).substr(begin));
  // Never all of it: a bare 亲 or 哈哈 stays itself.
  if (end > begin) text.erase(end);
  text.erase(0, begin);
}

}  // namespace xiaoer::nlu
