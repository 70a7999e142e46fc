#include "daemon/nlu/normalizer.hpp"

#include <opencc/DictEntry.hpp>
#include <opencc/Lexicon.hpp>
#include <opencc/MarisaDict.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <set>
#include <unordered_map>

#include "daemon/common/utf8.hpp"
#include "daemon/nlu/emoticons.hpp"
#include "daemon/nlu/spelling.hpp"

namespace xiaoer::nlu {
namespace {

using common::kInvalidCodepoint;

// Control characters count as space: they separate words if anything.
bool is_space(char32_t cp) {
  return cp <= ' ' || cp == 0x7F || cp == 0x3000 || cp == 0x00A0 || cp == 0x2028 || cp == 0x2029;
}

// Invisible characters that only get in a pattern's way.
bool is_invisible(char32_t cp) {
  return cp == 0xFE0F || cp == 0xFE0E || cp == 0x200B || cp == 0x200C || cp == 0x200D ||
         cp == 0xFEFF;
}

bool is_punctuation(char32_t cp) {
  return cp < 0x80 && cp > ' ' && !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z'));
}

// Chinese punctuation that has an ASCII twin; full-width forms are handled
// arithmetically in fold().
char32_t ascii_punctuation(char32_t cp) {
  switch (cp) {
    case 0x3001: return ',';   // 、
    case 0x3002: return '.';   // 。
    case 0x2026: return '.';   // …
    case 0x201C: case 0x201D: return '"';
    case 0x2018: case 0x2019: return '\'';
    case 0x3010: return '[';   // 【
    case 0x3011: return ']';   // 】
    case 0x2014: case 0x2013: return '-';
    case 0xFF5E: case 0x301C: return '~';
    default: return cp;
  }
}

// The longest emoticon code at the start of `rest`, or nullptr.
const EmoticonCode* match_emoticon(std::string_view rest) {
  const EmoticonCode* best = nullptr;
  for (const EmoticonCode& code : emoticon_codes()) {
    if (rest.size() >= code.code.size() &&
        std::equal(code.code.begin(), code.code.end(), rest.begin(),
                   [](char a, char b) {
                     const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; };
                     return lower(a) == lower(b);
                   }) &&
        (best == nullptr || code.code.size() > best->code.size())) {
      best = &code;
    }
  }
  return best;
}

}  // namespace

Normalizer::Normalizer() : bmp_(0x10000), starts_variant_(0x10000, false), variant_key_(0x10000, false) {
  for (char32_t cp = 0; cp < 0x10000; ++cp) bmp_[cp] = cp;
  for (const SpellingVariant& v : spelling_variants()) {
    std::size_t pos = 0;
    const char32_t first = common::decode_utf8(v.variant, pos);
    if (first < 0x10000) starts_variant_[first] = true;
    pos = 0;
    const char32_t key = common::decode_utf8(v.key, pos);
    if (key < 0x10000) variant_key_[key] = true;
  }
}

void Normalizer::add(char32_t traditional, char32_t simplified) {
  if (traditional == simplified) return;
  ++mapped_;
  if (traditional < 0x10000) {
    bmp_[traditional] = simplified;
  } else {
    astral_.emplace_back(traditional, simplified);
  }
}

std::shared_ptr<const Normalizer> Normalizer::from_pairs(
    const std::vector<std::pair<char32_t, char32_t>>& pairs) {
  std::shared_ptr<Normalizer> n(new Normalizer());
  // OpenCC's table has chains (薴 → 苧, 苧 → 苎) that its own segmenter
  // resolves over passes; each character goes to the end of its chain here,
  // so normalising twice changes nothing (a cycle ends at its smallest).
  std::unordered_map<char32_t, char32_t> next;
  for (const auto& [traditional, simplified] : pairs) next[traditional] = simplified;
  for (const auto& [traditional, simplified] : pairs) {
    if (next.at(traditional) != simplified) continue;  // a key given twice: the last wins, as it did
    std::set<char32_t> seen = {traditional};
    char32_t end = simplified;
    for (;;) {
      const auto it = next.find(end);
      if (it == next.end() || it->second == end) break;  // the end of the chain
      if (!seen.insert(end).second) {                     // a cycle: its smallest
        end = *seen.begin();
        break;
      }
      end = it->second;
    }
    n->add(traditional, end);
  }
  std::sort(n->astral_.begin(), n->astral_.end());
  return n;
}

std::shared_ptr<const Normalizer> Normalizer::from_opencc(const std::string& ocd2_path,
                                                          std::string* error) {
  std::FILE* file = std::fopen(ocd2_path.c_str(), "rb");
  if (file == nullptr) {
    *error = ocd2_path + ": cannot open OpenCC dictionary (package libopencc-data)";
    return nullptr;
  }
  std::vector<std::pair<char32_t, char32_t>> pairs;
  try {
    const opencc::MarisaDictPtr dict = opencc::MarisaDict::NewFromFile(file);
    std::fclose(file);
    file = nullptr;
    for (const auto& entry : *dict->GetLexicon()) {
      // Only one-character keys with a one-character default: the table is
      // per character by design (phrases would need OpenCC's segmenter).
      const std::string key = entry->Key();
      const std::string value = entry->GetDefault();
      std::size_t kpos = 0, vpos = 0;
      const char32_t from = common::decode_utf8(key, kpos);
      const char32_t to = common::decode_utf8(value, vpos);
      if (kpos == key.size() && vpos == value.size() && from != kInvalidCodepoint &&
          to != kInvalidCodepoint) {
        pairs.emplace_back(from, to);
      }
    }
  } catch (const std::exception& e) {
    if (file != nullptr) std::fclose(file);
    *error = ocd2_path + ": not a readable OpenCC dictionary: " + e.what();
    return nullptr;
  }
  if (pairs.empty()) {
    *error = ocd2_path + ": OpenCC dictionary maps no single characters";
    return nullptr;
  }
  return from_pairs(pairs);
}

char32_t Normalizer::fold(char32_t cp) const {
  if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp < 0x10000) return ascii_punctuation(bmp_[cp]);
  const auto it = std::lower_bound(astral_.begin(), astral_.end(), std::make_pair(cp, char32_t{0}));
  return (it != astral_.end() && it->first == cp) ? it->second : cp;
}

std::string Normalizer::normalize(std::string_view text) const {
  std::string out;
  normalize_into(text, out);
  return out;
}

namespace {

constexpr int kMaxCodeRounds = 4;

// Can `text` hold an emoticon code, once folded? Codes start with '/' or
// '[', which nothing but themselves and their full-width forms (／ ［ 【)
// fold to. Most messages have none and take the one-pass path.
bool may_hold_emoticon_code(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '/' || c == '[') return true;
    if (c == '\xEF' && i + 2 < text.size() && text[i + 1] == '\xBC' && (text[i + 2] == '\x8F' || text[i + 2] == '\xBB')) {
      return true;  // U+FF0F ／, U+FF3B ［
    }
    if (c == '\xE3' && i + 2 < text.size() && text[i + 1] == '\x80' && text[i + 2] == '\x90') return true;  // 【
  }
  return false;
}

}  // namespace

bool Normalizer::fold_pass(std::string_view text, std::string& out, bool match_codes) const {
  bool variant_key = false;  // for rewrite_variants: most messages hold none
  out.clear();
  out.reserve(text.size());
  bool pending_space = false;
  char32_t last = 0;  // last code point written, for folding punctuation runs
  bool doubled = false;  // `last` was written twice in a row
  const auto emit_token = [&](std::string_view token) {
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += token;
    last = 0;
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (match_codes && (text[pos] == '/' || text[pos] == '[')) {
      if (const EmoticonCode* code = match_emoticon(text.substr(pos))) {
        emit_token(code->canonical);
        pos += code->code.size();
        continue;
      }
    }
    const char32_t raw = common::decode_utf8(text, pos);
    if (raw == kInvalidCodepoint || is_invisible(raw)) continue;
    if (is_space(raw)) {
      pending_space = true;
      continue;
    }
    if (raw >= 0x2600) {
      if (const std::string_view name = emoji_canonical(raw); !name.empty()) {
        emit_token(name);
        continue;
      }
    }
    const char32_t cp = fold(raw);
    if (is_punctuation(cp) && cp == last && !pending_space) {
      // "??" and "!!" say more than "?" (the mood rules read them): a run
      // of either keeps two marks, a run of any other mark one.
      if ((cp != '?' && cp != '!') || doubled) continue;
      doubled = true;
    } else {
      doubled = false;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    common::append_utf8(out, cp);
    last = cp;
    variant_key = variant_key || (cp < 0x10000 && variant_key_[cp]);
  }
  return variant_key;
}

namespace {

constexpr int kMaxVariantRounds = 4;

// The longest spelling variant at the start of `rest`, or nullptr.
const SpellingVariant* match_variant(std::string_view rest) {
  const SpellingVariant* best = nullptr;
  for (const SpellingVariant& v : spelling_variants()) {
    if (rest.starts_with(v.variant) && (best == nullptr || v.variant.size() > best->variant.size())) {
      best = &v;
    }
  }
  return best;
}

}  // namespace

bool Normalizer::rewrite_variants(std::string& text, std::string& scratch) const {
  bool changed = false;
  scratch.clear();
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t at = pos;
    const char32_t cp = common::decode_utf8(text, pos);
    if (cp < 0x10000 && starts_variant_[cp]) {
      if (const SpellingVariant* v = match_variant(std::string_view(text).substr(at))) {
        scratch += v->standard;
        pos = at + v->variant.size();
        changed = true;
        continue;
      }
    }
    scratch.append(text, at, pos - at);
  }
  if (changed) text.swap(scratch);
  return changed;
}

void Normalizer::normalize_into(std::string_view text, std::string& out) const {
  // Most messages hold no variant's key (a character rare in buyers'
  // messages, tested as each character is folded): no further pass.
  if (!normalize_characters(text, out)) return;
  // A rewritten word can complete a variant with what follows it: rewrite
  // until nothing changes, so that normalising twice changes nothing.
  std::string scratch;
  for (int round = 0; round < kMaxVariantRounds && rewrite_variants(out, scratch); ++round) {
  }
}

bool Normalizer::normalize_characters(std::string_view text, std::string& out) const {
  if (!may_hold_emoticon_code(text)) return fold_pass(text, out, /*match_codes=*/false);
  // Codes are matched on folded text, so that one typed in full-width or
  // Traditional characters ("／：ｏｋ", "[生氣]") reads as its plain form:
  // fold every character first (keeping every space and punctuation mark,
  // which codes are made of), then match and collapse. Folding is
  // idempotent, so the second pass folds nothing again; the result does
  // not change when normalised again (the fuzzer checks it).
  std::string folded;
  folded.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char32_t raw = common::decode_utf8(text, pos);
    if (raw == kInvalidCodepoint || is_invisible(raw)) continue;
    common::append_utf8(folded, is_space(raw) ? U' ' : fold(raw));
  }
  bool variant_key = fold_pass(folded, out, /*match_codes=*/true);
  // Folding a run of punctuation can make a code ("/::^_^" → "/:^_^"):
  // pass again until nothing changes (twice at most in practice).
  for (int round = 0; round < kMaxCodeRounds && may_hold_emoticon_code(out); ++round) {
    const bool again = fold_pass(out, folded, /*match_codes=*/true);
    if (folded == out) break;
    out.swap(folded);
    variant_key = again;
  }
  return variant_key;
}

}  // namespace xiaoer::nlu
