#include "daemon/reply/mood.hpp"

#include <array>

#include "daemon/common/utf8.hpp"

namespace xiaoer::reply {
namespace {

// Marks that a removed cue can leave doubled or dangling. The ellipsis and
// the dash are written doubled on purpose (……, ——) and are not here.
bool is_mark(char32_t cp) {
  switch (cp) {
    case U'，': case U'。': case U'！': case U'？': case U'、': case U'～': case U'；':
    case U',': case U'.': case U'!': case U'?': case U'~': case U';':
      return true;
    default:
      return false;
  }
}

constexpr std::array<std::string_view, 3> kOpeners = {"亲亲", "亲", "您好"};
constexpr std::array<std::string_view, 4> kApologyWords = {"抱歉", "对不起", "不好意思", "sorry"};

// `text` past an opener and the marks or spaces after it.
std::string_view past_opener(std::string_view text) {
  for (std::string_view opener : kOpeners) {
    if (text.substr(0, opener.size()) != opener) continue;
    std::size_t pos = opener.size();
    while (pos < text.size()) {
      std::size_t next = pos;
      const char32_t cp = common::decode_utf8(text, next);
      if (cp != U' ' && !is_mark(cp)) break;
      pos = next;
    }
    // An opener is followed by a mark or a space; "亲自" is a word.
    return pos > opener.size() ? text.substr(pos) : text;
  }
  return text;
}

}  // namespace

std::string_view to_string(Mood mood) { return mood == Mood::kUpset ? "upset" : "calm"; }

void tidy_removed_cues(std::string& text) {
  std::string out;
  out.reserve(text.size());
  char32_t last = U'\n';  // the start counts as a line start
  std::size_t pos = 0;
  bool pending_space = false;
  while (pos < text.size()) {
    const char32_t cp = common::decode_utf8(text, pos);
    if (cp == common::kInvalidCodepoint) continue;
    if (cp == U' ') {
      pending_space = true;
      continue;
    }
    const bool line_start = last == U'\n';
    if (is_mark(cp) && (line_start || cp == last)) continue;
    // A space survives only between two words.
    if (pending_space && !line_start && cp != U'\n' && !is_mark(cp) && !is_mark(last)) out += ' ';
    pending_space = false;
    common::append_utf8(out, cp);
    last = cp;
  }
  text.swap(out);
}

bool starts_with_apology(std::string_view text) {
  const std::string_view rest = past_opener(text);
  std::size_t end = 0;
  while (end < rest.size()) {
    std::size_t next = end;
    const char32_t cp = common::decode_utf8(rest, next);
    if (is_mark(cp) || cp == U'\n') break;
    end = next;
  }
  const std::string_view clause = rest.substr(0, end);
  for (std::string_view word : kApologyWords) {
    if (clause.find(word) != std::string_view::npos) return true;
  }
  return false;
}

std::string with_apology(std::string_view apology, std::string_view reply) {
  std::string out(apology);
  const std::string_view rest = past_opener(reply);
  if (!rest.empty()) out.append("\n").append(rest);
  return out;
}

}  // namespace xiaoer::reply
