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
char32_t decode_utf8(std::string_view text, std::size_t& pos);

// Appends the UTF-8 form of `cp` (which must be a valid code point).
void append_utf8(std::string& out, char32_t cp);

// True when all of `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

}  // namespace xiaoer::common
