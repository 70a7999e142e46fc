// Lexicons: named word classes that rules refer to as `{name}`.
//
// A lexicon (`lexicons:` in an intent file) is a list of words and of
// references to other lexicons. In a pattern, an exclusion, a keyword or a
// slot pattern, `{name}` expands to a non-capturing alternation of the
// lexicon's words, references flattened, each RE2-quoted, in descending byte
// order: a word stands before every word that is its prefix (RE2 prefers the
// leftmost alternative, so the longest word wins), and words that share a
// prefix stand together, which RE2 factors into one branch. RE2
// repetitions (`{2}`, `{2,3}`, `{2,}`) start with a digit and are left alone;
// so is an escaped brace (`\{`).
//
// A LexiconTable is made once per IntentSet::build and is not shared.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/diagnostic.hpp"
#include "daemon/nlu/intent.hpp"

namespace xiaoer::nlu {

// A lexicon name: a lower-case letter, then lower-case letters, digits or _.
bool is_lexicon_name(std::string_view name);

// One `{name}` in a text: the bytes [offset, offset + size) with the braces.
struct LexiconReference {
  std::size_t offset = 0;
  std::size_t size = 0;
  std::string_view name;  // points into the text
};

// Every reference in `text`, in order; a brace after a backslash is not one.
std::vector<LexiconReference> find_lexicon_references(std::string_view text);

// The name when the whole of `text` is one reference (`{garment}`), else "".
std::string_view whole_lexicon_reference(std::string_view text);

class LexiconTable {
 public:
  // Resolves every lexicon of `lexicons` (which must outlive the table):
  // a cycle of references, an unknown reference or an empty lexicon is an
  // error in `diagnostics`, at the entry or the definition.
  LexiconTable(const std::vector<Lexicon>& lexicons, common::Diagnostics& diagnostics);

  // The RE2 form of `text` written at `where` (its first character at
  // column `text_column`, 0 if unknown): for a keyword the literal parts are
  // quoted. Returns false, with an error at the reference, when a name is
  // unknown or its lexicon did not resolve.
  bool expand(std::string_view text, bool literal, const SourceLocation& where, int text_column,
              std::string* out);

  // Warns, at its definition, about each lexicon nothing referred to.
  void report_unused() const;

 private:
  struct Entry {
    const Lexicon* source = nullptr;
    enum class State { kNew, kResolving, kResolved, kBroken } state = State::kNew;
    std::vector<std::string> words;  // flattened, each once, in descending byte order once resolved
    std::string alternation;         // (?:w1|w2|…)
    bool used = false;
  };

  // Flattens `entry`'s words; `path` holds the lexicons being resolved, for
  // the cycle's message.
  bool resolve(Entry& entry, std::vector<std::string_view>& path);

  std::map<std::string, Entry, std::less<>> entries_;
  common::Diagnostics& diagnostics_;
};

}  // namespace xiaoer::nlu
