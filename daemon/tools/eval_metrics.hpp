// The metrics of `xiaoerd eval` (SPEC section 6), computed from labelled
// lines and what the bot did with each.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace xiaoer::tools {

inline constexpr const char* kNoTopic = "none";

struct EvalLine {
  std::string text;
  std::set<std::string> gold;       // G: empty means none
  std::set<std::string> predicted;  // P: the topics the bot answered or handed off for
  bool handed_off = false;
};

struct TopicCounts {
  int true_positive = 0, false_positive = 0, false_negative = 0;
  double precision() const;
  double recall() const;
  double f1() const;
};

struct EvalSummary {
  int n = 0;
  double accuracy = 0;  // share of lines with P = G
  double coverage = 0;  // among lines with G non-empty, share with P ∩ G non-empty
  double wrong = 0;     // share of lines where P holds a topic not in G
  double handoff = 0;   // share of lines handed off
  std::map<std::string, TopicCounts> topics;
  // gold topic (or "none") → predicted topic (or "none") → lines
  std::map<std::string, std::map<std::string, int>> confusion;
};

EvalSummary summarize(const std::vector<EvalLine>& lines);

}  // namespace xiaoer::tools
