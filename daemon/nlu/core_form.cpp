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

// Could `text` hold an emoticon token or an emoji? Both start with '[' or
// a byte that only leads U+2000–U+2FFF or an astral code point.
bool may_hold_decoration(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '[' || byte == 0xE2 || byte >= 0xF0) return true;
  }
  return false;
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

// `text` without its emoticon tokens and emoji, spaces collapsed, into
// `out`. False when there were none.
bool remove_decorations(std::string_view text, std::string& out) {
  out.clear();
  bool removed = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (const std::size_t length = decoration_length(text.substr(pos)); length > 0) {
      pos += length;
      removed = true;
      continue;
    }
    const std::size_t start = pos;
    common::decode_utf8(text, pos);
    if (text[start] == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.append(text, start, pos - start);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return removed;
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

// Where the trailing run of particles, marks and [姓名x] starts, or npos.
std::size_t trailing_start(std::string_view text) {
  std::size_t run = std::string_view::npos;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text.substr(pos).starts_with(kNameToken)) {
      if (run == std::string_view::npos) run = pos;
      pos += kNameToken.size();
      continue;
    }
    const std::size_t start = pos;
    if (is_trailing(common::decode_utf8(text, pos))) {
      if (run == std::string_view::npos) run = start;
    } else {
      run = std::string_view::npos;
    }
  }
  return run;
}

}  // namespace

void core_form_into(std::string_view normalized, std::string& out) {
  std::string_view core = normalized;
  std::string undecorated;
  if (may_hold_decoration(core)) {
    // Removing a token can join its neighbours into a new one ("[微[微笑]笑]"):
    // again until nothing is removed, so that the core is its own core.
    std::string next;
    while (remove_decorations(core, next) && !next.empty()) {
      undecorated.swap(next);
      core = undecorated;
    }
  }
  for (std::size_t length = opener_length(core); length > 0 && length < core.size(); length = opener_length(core)) {
    core.remove_prefix(length);
  }
  if (const std::size_t end = trailing_start(core); end != std::string_view::npos && end > 0) {
    core = core.substr(0, end);
  }
  out.assign(core);
}

}  // namespace xiaoer::nlu
