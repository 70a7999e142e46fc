#include "daemon/nlu/rule_matcher.hpp"

#include <algorithm>

#include "daemon/common/utf8.hpp"

namespace xiaoer::nlu {
namespace {

// Atoms of one byte are kept: a single ASCII letter or digit is a weak
// filter, but dropping it would leave its rule unfiltered (run for every
// text).
constexpr int kMinAtomBytes = 1;

// Whether `cp` (not ASCII) may take part in RE2's case folding. Generous:
// whole blocks that hold cased letters count, so a rare script costs a
// slower match, never a wrong one.
bool cased(char32_t cp) {
  if (cp == 0xB5) return true;  // micro sign, folds with Greek mu
  if (cp < 0xC0) return false;
  if (cp < 0x2000) return cp != 0xD7 && cp != 0xF7;  // Latin … Greek, Cyrillic, Georgian, Latin extended
  if (cp < 0x2100) return false;                       // punctuation, super/subscripts, currency
  if (cp < 0x2190) return cp != 0x2103 && cp != 0x2109 && cp != 0x2116 && cp != 0x2122;  // letterlike, Roman numerals
  if (cp < 0x24B6) return false;                       // arrows, maths, circled digits
  if (cp <= 0x24E9) return true;                       // circled Latin letters
  if (cp < 0x2C00) return false;                       // box drawing, shapes, symbols, dingbats
  if (cp < 0x2E00) return true;                        // Glagolitic, Latin extended-C, Coptic, Georgian
  if (cp < 0xA640) return false;                       // CJK, kana, Hangul compatibility, Yi
  if (cp < 0xA6A0) return true;                        // Cyrillic extended-B
  if (cp < 0xA720) return false;
  if (cp < 0xA800) return true;                        // Latin extended-D
  if (cp < 0xAB30) return false;
  if (cp < 0xABC0) return true;                        // Latin extended-E, Cherokee
  if (cp < 0xFB00) return false;                       // Hangul syllables, private use, CJK compatibility
  if (cp < 0xFB50) return true;                        // Latin and Armenian ligatures
  if (cp < 0xFF21) return false;                       // CJK forms, full-width digits and punctuation
  if (cp <= 0xFF3A) return true;                       // full-width A–Z
  if (cp < 0xFF41) return false;
  if (cp <= 0xFF5A) return true;                       // full-width a–z
  if (cp < 0x10000) return false;
  const auto in = [cp](char32_t first, char32_t last) { return cp >= first && cp <= last; };
  return in(0x10400, 0x1044F) || in(0x104B0, 0x104FF) || in(0x10570, 0x105BF) || in(0x10C80, 0x10CFF) ||
         in(0x118A0, 0x118FF) || in(0x16E40, 0x16E9F) || in(0x1E900, 0x1E95F);
}

}  // namespace

bool has_cased_letter_beyond_ascii(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    if (cased(common::decode_utf8(text, pos))) return true;
  }
  return false;
}

RuleMatcher::RuleMatcher() : filtered_(kMinAtomBytes) {}

bool RuleMatcher::add(std::string_view regex, const RE2::Options& options) {
  int id = 0;
  return filtered_.Add(regex, options, &id) == RE2::NoError;
}

void RuleMatcher::compile() {
  std::vector<std::string> atoms;
  filtered_.Compile(&atoms);
  atom_count_ = atoms.size();
  scanner_ = std::make_unique<LiteralScanner>(atoms);
}

void RuleMatcher::match(std::string_view text, std::vector<int>* hits) const {
  hits->clear();
  if (has_cased_letter_beyond_ascii(text)) {
    for (int i = 0; i < size(); ++i) {
      if (RE2::PartialMatch(text, rule(i))) hits->push_back(i);
    }
    return;
  }
  std::vector<int> atoms;
  scanner_->scan(text, &atoms);
  filtered_.AllMatches(text, atoms, hits);
  std::sort(hits->begin(), hits->end());
}

}  // namespace xiaoer::nlu
