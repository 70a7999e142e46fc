// Minimal UTF-8 decoding and encoding, strict about what it accepts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace xiaoer::common {

inline constexpr char32_t kInvalidCodepoint = 0xFFFFFFFF;

// Decodes the code point at `text[pos]` and advances `pos` past it. An
// overlong form, a surrogate, a value over U+10FFFF or a truncated sequence
// yields kInvalidCodepoint and advances one byte, so decoding always ends.
// Inline: it runs once a character on every hot path (normalising, frame
// validation, JSON escaping).
inline char32_t decode_utf8(std::string_view text, std::size_t& pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  int length = 0;
  char32_t cp = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, minimum = 0x10000;
  } else {
    ++pos;
    return kInvalidCodepoint;
  }
  if (pos + length > text.size()) {
    ++pos;
    return kInvalidCodepoint;
  }
  for (int i = 1; i < length; ++i) {
    const unsigned char next = byte(pos + i);
    if ((next & 0xC0) != 0x80) {
      ++pos;
      return kInvalidCodepoint;
    }
    cp = (cp << 6) | (next & 0x3F);
  }
  if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return kInvalidCodepoint;
  }
  pos += length;
  return cp;
}

// Appends the UTF-8 form of `cp` (which must be a valid code point).
void append_utf8(std::string& out, char32_t cp);

// True when all of `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

// The characters (code points; an invalid byte counts as one) in `text`.
std::size_t count_characters(std::string_view text);

}  // namespace xiaoer::common
