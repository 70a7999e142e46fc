// Platform emoticon codes and emoji, folded to one bracketed name.
//
// Buyers on 旺旺, QQ-style clients and phones write the same smile three ways
// ("/:^_^", "[微笑]", 😊). The normaliser turns each into its canonical name
// so that a pattern can say `\[发怒\]` once.
#pragma once

#include <span>
#include <string_view>

namespace xiaoer::nlu {

struct EmoticonCode {
  std::string_view code;       // as typed: "/:^_^", "[微笑]"
  std::string_view canonical;  // "[微笑]"
};

// Typed codes, each starting with '/' or '['. Immutable static data.
std::span<const EmoticonCode> emoticon_codes();

// The canonical name of a single-code-point emoji, or "" if it is not one
// we fold.
std::string_view emoji_canonical(char32_t cp);

}  // namespace xiaoer::nlu
