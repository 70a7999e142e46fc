#include "daemon/nlu/literal_scanner.hpp"

#include <algorithm>
#include <deque>
#include <map>

namespace xiaoer::nlu {
namespace {

unsigned char fold_ascii(unsigned char c) { return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c - 'A' + 'a') : c; }

}  // namespace

LiteralScanner::LiteralScanner(const std::vector<std::string>& literals) : duplicates_(literals.size()) {
  // The trie first, with ordered children; then failure links breadth
  // first; then the flat form that scan() walks.
  std::vector<std::map<unsigned char, std::int32_t>> children(1);
  std::vector<std::int32_t> ends(1, -1);
  for (int id = 0; id < static_cast<int>(literals.size()); ++id) {
    if (literals[id].empty()) continue;
    std::int32_t state = 0;
    for (char raw : literals[id]) {
      const unsigned char byte = fold_ascii(static_cast<unsigned char>(raw));
      auto [it, added] = children[state].try_emplace(byte, static_cast<std::int32_t>(children.size()));
      if (added) {
        children.emplace_back();
        ends.push_back(-1);
      }
      state = it->second;
    }
    if (ends[state] < 0) {
      ends[state] = id;
    } else {
      duplicates_[ends[state]].push_back(id);
    }
  }

  states_.resize(children.size());
  for (std::size_t s = 0; s < children.size(); ++s) {
    states_[s].first_edge = static_cast<std::uint32_t>(edges_.size());
    states_[s].edge_count = static_cast<std::uint32_t>(children[s].size());
    states_[s].literal = ends[s];
    for (const auto& [byte, target] : children[s]) edges_.push_back({byte, target});
  }
  std::fill(std::begin(root_next_), std::end(root_next_), 0);
  for (const auto& [byte, target] : children[0]) root_next_[byte] = target;

  std::deque<std::int32_t> pending;
  for (const auto& [byte, target] : children[0]) pending.push_back(target);
  while (!pending.empty()) {
    const std::int32_t state = pending.front();
    pending.pop_front();
    const State& here = states_[state];
    const std::int32_t failure = here.failure;
    states_[state].next_output =
        states_[failure].literal >= 0 ? failure : states_[failure].next_output;
    for (const auto& [byte, target] : children[state]) {
      std::int32_t fallback = failure;
      std::int32_t next = -1;
      while (true) {
        next = fallback == 0 ? root_next_[byte] : child(fallback, byte);
        if (next >= 0 || fallback == 0) break;
        fallback = states_[fallback].failure;
      }
      states_[target].failure = next > 0 && next != target ? next : 0;
      pending.push_back(target);
    }
  }
  states_[0].next_output = -1;
}

std::int32_t LiteralScanner::child(std::int32_t state, unsigned char byte) const {
  const State& here = states_[state];
  const auto first = edges_.begin() + here.first_edge;
  const auto last = first + here.edge_count;
  const auto it = std::lower_bound(first, last, byte, [](const Edge& e, unsigned char b) { return e.byte < b; });
  return it != last && it->byte == byte ? it->target : -1;
}

void LiteralScanner::scan(std::string_view text, std::vector<int>* found) const {
  found->clear();
  std::int32_t state = 0;
  for (char raw : text) {
    const unsigned char byte = fold_ascii(static_cast<unsigned char>(raw));
    while (true) {
      const std::int32_t next = state == 0 ? root_next_[byte] : child(state, byte);
      if (next >= 0) {
        state = next;
        break;
      }
      state = states_[state].failure;
    }
    for (std::int32_t out = states_[state].literal >= 0 ? state : states_[state].next_output; out >= 0;
         out = states_[out].next_output) {
      const int literal = states_[out].literal;
      found->push_back(literal);
      found->insert(found->end(), duplicates_[literal].begin(), duplicates_[literal].end());
    }
  }
  std::sort(found->begin(), found->end());
  found->erase(std::unique(found->begin(), found->end()), found->end());
}

}  // namespace xiaoer::nlu
