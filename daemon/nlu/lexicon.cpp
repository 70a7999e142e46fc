#include "daemon/nlu/lexicon.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <functional>

#include "daemon/common/utf8.hpp"

namespace xiaoer::nlu {
namespace {

// The place of byte `offset` of a text whose first character is at
// `text_column` of `where`'s line; `where` itself when that is unknown.
SourceLocation place_of(const SourceLocation& where, int text_column, std::string_view text, std::size_t offset) {
  SourceLocation at = where;
  if (text_column > 0) {
    at.column = text_column + static_cast<int>(common::count_characters(text.substr(0, offset)));
  }
  return at;
}

}  // namespace

bool is_lexicon_name(std::string_view name) {
  return !name.empty() && name[0] >= 'a' && name[0] <= 'z' && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

std::vector<LexiconReference> find_lexicon_references(std::string_view text) {
  std::vector<LexiconReference> found;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      continue;
    }
    if (text[i] != '{') continue;
    const std::size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) break;
    const std::string_view name = text.substr(i + 1, close - i - 1);
    if (!is_lexicon_name(name)) continue;
    found.push_back({i, close - i + 1, name});
    i = close;
  }
  return found;
}

std::string_view whole_lexicon_reference(std::string_view text) {
  const std::vector<LexiconReference> refs = find_lexicon_references(text);
  return refs.size() == 1 && refs[0].size == text.size() ? refs[0].name : std::string_view();
}

LexiconTable::LexiconTable(const std::vector<Lexicon>& lexicons, common::Diagnostics& diagnostics)
    : diagnostics_(diagnostics) {
  for (const Lexicon& lexicon : lexicons) entries_.try_emplace(lexicon.name).first->second.source = &lexicon;
  std::vector<std::string_view> path;
  for (auto& [name, entry] : entries_) resolve(entry, path);
}

bool LexiconTable::resolve(Entry& entry, std::vector<std::string_view>& path) {
  using State = Entry::State;
  if (entry.state == State::kResolved) return true;
  if (entry.state == State::kBroken) return false;
  entry.state = State::kResolving;
  path.push_back(entry.source->name);
  bool ok = true;
  for (const SourceText& item : entry.source->entries) {
    const std::string_view reference = whole_lexicon_reference(item.text);
    if (reference.empty()) {
      if (std::find(entry.words.begin(), entry.words.end(), item.text) == entry.words.end()) {
        entry.words.push_back(item.text);
      }
      continue;
    }
    const auto it = entries_.find(reference);
    if (it == entries_.end()) {
      diagnostics_.push_back({item.where, "unknown lexicon '" + std::string(reference) + "' in lexicon '" +
                                              entry.source->name + "'"});
      ok = false;
      continue;
    }
    Entry& inner = it->second;
    inner.used = true;
    if (inner.state == State::kResolving) {
      std::string cycle;
      const auto start = std::find(path.begin(), path.end(), inner.source->name);
      for (auto p = start; p != path.end(); ++p) cycle.append(*p).append(" → ");
      diagnostics_.push_back({item.where, "lexicon cycle: " + cycle + inner.source->name});
      ok = false;
      continue;
    }
    if (!resolve(inner, path)) {
      ok = false;
      continue;
    }
    for (const std::string& word : inner.words) {
      if (std::find(entry.words.begin(), entry.words.end(), word) == entry.words.end()) entry.words.push_back(word);
    }
  }
  path.pop_back();
  if (ok && entry.words.empty()) {
    diagnostics_.push_back({entry.source->where, "lexicon '" + entry.source->name + "' is empty"});
    ok = false;
  }
  if (!ok) {
    entry.state = State::kBroken;
    return false;
  }
  // Descending byte order: a word comes before every word that is its
  // prefix (so the longest wins), and words sharing a prefix sit together,
  // which RE2 factors into one branch (a smaller program).
  std::sort(entry.words.begin(), entry.words.end(), std::greater<>());
  entry.alternation = "(?:";
  for (std::size_t i = 0; i < entry.words.size(); ++i) {
    if (i > 0) entry.alternation += '|';
    entry.alternation += RE2::QuoteMeta(entry.words[i]);
  }
  entry.alternation += ')';
  entry.state = State::kResolved;
  return true;
}

bool LexiconTable::expand(std::string_view text, bool literal, const SourceLocation& where, int text_column,
                          std::string* out) {
  out->clear();
  bool ok = true;
  std::size_t done = 0;
  const auto append_text = [&](std::string_view part) {
    if (literal) {
      out->append(RE2::QuoteMeta(part));
    } else {
      out->append(part);
    }
  };
  for (const LexiconReference& ref : find_lexicon_references(text)) {
    append_text(text.substr(done, ref.offset - done));
    done = ref.offset + ref.size;
    const auto it = entries_.find(ref.name);
    if (it == entries_.end()) {
      diagnostics_.push_back(
          {place_of(where, text_column, text, ref.offset), "unknown lexicon '" + std::string(ref.name) + "'"});
      ok = false;
      continue;
    }
    it->second.used = true;
    // A lexicon that did not resolve was reported at its definition.
    if (it->second.state != Entry::State::kResolved) {
      ok = false;
      continue;
    }
    out->append(it->second.alternation);
  }
  append_text(text.substr(done));
  return ok;
}

void LexiconTable::report_unused() const {
  for (const auto& [name, entry] : entries_) {
    if (entry.used) continue;
    diagnostics_.push_back(
        {entry.source->where, "lexicon '" + name + "' is not used by any rule", common::Severity::kWarning});
  }
}

}  // namespace xiaoer::nlu
