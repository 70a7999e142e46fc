// Normalizer: the one text form that keywords and patterns are matched on.
//
// Traditional → Simplified by OpenCC's character dictionary, full-width →
// half-width, ASCII lower-case, Chinese punctuation → ASCII, emoticon codes
// and emoji folded to one bracketed name (see emoticons.hpp), a run of one
// punctuation mark folded to one (to two for ? and !, which say how upset
// the buyer is), white space collapsed and trimmed, malformed UTF-8 dropped,
// and last the spelling variants of spelling.hpp rewritten (神马 → 什么).
//
// OpenCC's own converter segments phrases and costs ~17 µs for a short
// message; we read its character dictionary once at load into a flat table,
// so that normalising costs one table look-up a character.
//
// Thread safety: immutable after build; share freely.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xiaoer::nlu {

class Normalizer {
 public:
  // Where Debian's libopencc-data installs the Traditional → Simplified
  // character dictionary.
  static constexpr std::string_view kDefaultDictionary = "/usr/share/opencc/TSCharacters.ocd2";

  // Reads an OpenCC .ocd2 character dictionary. Returns null and sets
  // `error` when the file is missing or unreadable.
  static std::shared_ptr<const Normalizer> from_opencc(const std::string& ocd2_path,
                                                       std::string* error);

  // From explicit (traditional, simplified) code point pairs.
  static std::shared_ptr<const Normalizer> from_pairs(
      const std::vector<std::pair<char32_t, char32_t>>& pairs);

  // The normalised form of `text`. Never fails: bytes that are not UTF-8
  // are dropped.
  std::string normalize(std::string_view text) const;

  // As normalize(), writing into `out` (cleared first) to reuse its buffer.
  void normalize_into(std::string_view text, std::string& out) const;

  // Number of characters the Traditional → Simplified table maps.
  std::size_t mapped_characters() const { return mapped_; }

 private:
  Normalizer();
  void add(char32_t traditional, char32_t simplified);
  char32_t fold(char32_t cp) const;
  // Every step but the spelling variants; true if `out` holds a variant's key.
  bool normalize_characters(std::string_view text, std::string& out) const;
  // One pass: fold, emoji to names, spaces and punctuation runs collapsed;
  // emoticon codes too when `match_codes`. True if `out` holds a spelling
  // variant's key character.
  bool fold_pass(std::string_view text, std::string& out, bool match_codes) const;
  // Rewrites spelling variants in `text` (normalised); false if it has none.
  bool rewrite_variants(std::string& text, std::string& scratch) const;

  std::vector<char32_t> bmp_;                           // index = code point < 0x10000
  std::vector<std::pair<char32_t, char32_t>> astral_;  // sorted by first
  std::size_t mapped_ = 0;
  std::vector<bool> starts_variant_;  // index = code point < 0x10000
  std::vector<bool> variant_key_;     // the spelling variants' keys, likewise
};

}  // namespace xiaoer::nlu
