// LiteralScanner: which of a fixed list of strings occur in a text, in one
// pass over its bytes (Aho–Corasick).
//
// The automaton is built whole when the scanner is made, so the first text
// costs what the thousandth does: unlike RE2's lazy DFA, nothing is built
// while a message waits (docs/benchmarks.md, the latency knee). ASCII
// letters of the text are compared lower-cased; the literals are expected
// lower-case (as RE2's FilteredRE2 gives its atoms).
//
// Thread safety: immutable once made; scan() is const and may run on many
// threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoer::nlu {

class LiteralScanner {
 public:
  explicit LiteralScanner(const std::vector<std::string>& literals);

  // The indices (into the constructor's list) of the literals that occur
  // in `text`, each once, in ascending order, written to `found` (cleared
  // first). An empty literal never occurs.
  void scan(std::string_view text, std::vector<int>* found) const;

  // Number of states of the automaton (the root included).
  std::size_t state_count() const { return states_.size(); }

 private:
  struct State {
    std::uint32_t first_edge = 0;  // into edges_, sorted by byte
    std::uint32_t edge_count = 0;
    std::int32_t failure = 0;      // longest proper suffix that is a state
    std::int32_t next_output = -1; // nearest state on the failure chain that ends a literal
    std::int32_t literal = -1;     // the literal that ends here, or -1
  };
  struct Edge {
    unsigned char byte;
    std::int32_t target;
  };

  // The state reached from `state` on `byte`, or -1 when it has no edge.
  std::int32_t child(std::int32_t state, unsigned char byte) const;

  std::vector<State> states_;
  std::vector<Edge> edges_;
  std::int32_t root_next_[256];  // the root's moves, looked up directly (most moves are the root's)
  std::vector<std::vector<int>> duplicates_;  // per literal: later literals equal to it
};

}  // namespace xiaoer::nlu
