// Spelling variants: net slang and IME slips buyers type for common words.
//
// Buyers write 神马时候发货 for 什么时候发货, 有木有 for 有没有, 法货 for 发货
// (a pinyin IME's neighbour), 甚麼 for 什么 (Taiwan and Hong Kong typing).
// The normaliser rewrites each to its standard word, so that every rule
// that spells the standard word catches the variant too, instead of every
// rule listing the variants.
//
// Only variants that are not words of their own in a shop's chats are
// listed: 尺吗 stays (二尺吗 asks a waist in chi), 包油 stays (一包油).
// Variants are written in normalised form (Simplified, lower-case).
#pragma once

#include <span>
#include <string_view>

namespace xiaoer::nlu {

struct SpellingVariant {
  std::string_view variant;   // as typed, normalised: "神马"
  std::string_view standard;  // what it stands for: "什么"
  // One character of `variant` that is rare in buyers' messages (神 rather
  // than 马 of 马上): the normaliser looks at a message further only when
  // it holds a key, so most messages cost one table look-up a character.
  std::string_view key;
};

// Immutable static data. A standard word may complete a variant with the
// text after it: the normaliser rewrites until nothing changes.
std::span<const SpellingVariant> spelling_variants();

}  // namespace xiaoer::nlu
