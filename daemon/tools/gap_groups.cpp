#include "daemon/tools/gap_groups.hpp"

#include <algorithm>
#include <map>
#include <queue>
#include <unordered_map>

#include "daemon/common/utf8.hpp"

namespace xiaoer::tools {
namespace {

// A phrase in fewer messages than this is rare enough to be a key, whatever
// common_share says (small files).
constexpr double kMinCommonLimit = 10;

bool is_word_char(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 'a' && cp <= 'z') ||
         (cp >= '0' && cp <= '9');
}

// The words of `text` as runs of symbols: a character, a number ("0") or a
// placeholder ("#").
std::vector<std::vector<std::string_view>> words_of(std::string_view text) {
  std::vector<std::vector<std::string_view>> words(1);
  std::size_t pos = 0;
  const auto cut = [&] {
    if (!words.back().empty()) words.emplace_back();
  };
  while (pos < text.size()) {
    if (text[pos] == '[') {
      const std::size_t close = text.find(']', pos);
      if (close != std::string_view::npos && close > pos + 1 && text[close - 1] == 'x') {
        words.back().push_back("#");
        pos = close + 1;
        continue;
      }
    }
    if (text[pos] >= '0' && text[pos] <= '9') {
      while (pos < text.size() && ((text[pos] >= '0' && text[pos] <= '9') || text[pos] == '.')) ++pos;
      words.back().push_back("0");
      continue;
    }
    const std::size_t start = pos;
    const char32_t cp = common::decode_utf8(text, pos);
    if (is_word_char(cp)) {
      words.back().push_back(text.substr(start, pos - start));
    } else {
      cut();
    }
  }
  return words;
}

bool informative(const std::vector<std::string_view>& symbols, std::size_t from, std::size_t n) {
  return std::any_of(symbols.begin() + from, symbols.begin() + from + n,
                     [](std::string_view s) { return s != "#" && s != "0"; });
}

}  // namespace

std::vector<std::string> phrases_of(std::string_view text, const GapOptions& options) {
  std::vector<std::string> phrases;
  for (const auto& symbols : words_of(text)) {
    for (std::size_t n = options.min_phrase; n <= options.max_phrase && n <= symbols.size(); ++n) {
      for (std::size_t from = 0; from + n <= symbols.size(); ++from) {
        if (!informative(symbols, from, n)) continue;
        std::string phrase;
        for (std::size_t k = from; k < from + n; ++k) phrase.append(symbols[k]);
        phrases.push_back(std::move(phrase));
      }
    }
  }
  std::sort(phrases.begin(), phrases.end());
  phrases.erase(std::unique(phrases.begin(), phrases.end()), phrases.end());
  return phrases;
}

namespace {

// The phrases most members of a group share besides its key.
std::vector<std::string> tying_phrases(const GapGroup& group, const std::vector<std::string>& gaps,
                                       const GapOptions& options) {
  std::map<std::string, std::size_t> shared;
  for (std::size_t m : group.members) {
    for (std::string& p : phrases_of(gaps[m], options)) {
      if (p.find(group.phrase) != std::string::npos || group.phrase.find(p) != std::string::npos) continue;
      ++shared[std::move(p)];
    }
  }
  const std::size_t needed = std::max<std::size_t>(2, (group.members.size() + 1) / 2);
  std::vector<std::pair<std::string, std::size_t>> ranked;
  for (auto& [phrase, count] : shared) {
    if (count >= needed) ranked.emplace_back(phrase, count);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    if (a.first.size() != b.first.size()) return a.first.size() > b.first.size();
    return a.first < b.first;
  });
  std::vector<std::string> tying;
  for (const auto& [phrase, count] : ranked) {
    if (tying.size() == options.tying_phrases) break;
    const bool covered = std::any_of(tying.begin(), tying.end(), [&](const std::string& t) {
      return t.find(phrase) != std::string::npos || phrase.find(t) != std::string::npos;
    });
    if (!covered) tying.push_back(phrase);
  }
  return tying;
}

}  // namespace

std::vector<GapGroup> group_gaps(const std::vector<std::string>& gaps, const std::vector<std::size_t>& repeats,
                                 const std::vector<std::string>& all, const GapOptions& options) {
  std::unordered_map<std::string, std::size_t> in_all;
  for (const std::string& text : all) {
    for (std::string& p : phrases_of(text, options)) ++in_all[std::move(p)];
  }
  const double common_limit = std::max(kMinCommonLimit, options.common_share * static_cast<double>(all.size()));
  std::unordered_map<std::string, std::vector<std::size_t>> postings;
  for (std::size_t i = 0; i < gaps.size(); ++i) {
    for (std::string& p : phrases_of(gaps[i], options)) postings[std::move(p)].push_back(i);
  }

  // How much more often a phrase is in unrecognised messages than in all
  // traffic; 1 for every phrase when (nearly) nothing was recognised.
  std::size_t gap_weight = 0;
  for (std::size_t r : repeats) gap_weight += r;
  const double unrecognised_share = all.empty() ? 1.0 : static_cast<double>(gap_weight) / static_cast<double>(all.size());
  const bool compare = unrecognised_share < options.compare_below;

  std::vector<bool> grouped(gaps.size(), false);
  const auto remaining = [&](const std::vector<std::size_t>& members, std::size_t* count) {
    std::size_t weight = 0;
    *count = 0;
    for (std::size_t m : members) {
      if (grouped[m]) continue;
      weight += repeats[m];
      ++*count;
    }
    return weight;
  };
  // Lazy greedy: a phrase's score only falls as groups form, so a popped
  // score that is still current is the best.
  struct Candidate {
    double score;
    std::size_t length;
    double lift_squared;
    std::string phrase;
  };
  const auto worse = [](const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score < b.score;
    if (a.length != b.length) return a.length < b.length;
    return a.phrase > b.phrase;
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(worse)> queue(worse);
  for (const auto& [phrase, members] : postings) {
    if (members.size() < options.min_group) continue;
    const auto found = in_all.find(phrase);
    const double in_traffic = found == in_all.end() ? 1.0 : static_cast<double>(found->second);
    if (in_traffic > common_limit) continue;
    std::size_t count = 0;
    const std::size_t weight = remaining(members, &count);
    double lift = 1;
    if (compare) {
      lift = static_cast<double>(weight) / in_traffic / unrecognised_share;
      if (lift < options.min_lift) continue;
    }
    const std::size_t length = common::count_characters(phrase);
    queue.push({static_cast<double>(weight * length) * lift * lift, length, lift * lift, phrase});
  }
  std::vector<GapGroup> groups;
  while (!queue.empty()) {
    Candidate candidate = queue.top();
    queue.pop();
    const std::vector<std::size_t>& members = postings[candidate.phrase];
    std::size_t count = 0;
    const double now =
        static_cast<double>(remaining(members, &count) * candidate.length) * candidate.lift_squared;
    if (count < options.min_group) continue;
    if (now < candidate.score) {
      candidate.score = now;
      queue.push(std::move(candidate));
      continue;
    }
    GapGroup group;
    group.phrase = std::move(candidate.phrase);
    for (std::size_t m : members) {
      if (grouped[m]) continue;
      grouped[m] = true;
      group.members.push_back(m);
      group.weight += repeats[m];
    }
    group.tying = tying_phrases(group, gaps, options);
    groups.push_back(std::move(group));
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const GapGroup& a, const GapGroup& b) { return a.weight > b.weight; });
  return groups;
}

}  // namespace xiaoer::tools
