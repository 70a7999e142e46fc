#include "daemon/tools/eval_metrics.hpp"

#include <algorithm>

namespace xiaoer::tools {
namespace {

double ratio(int part, int whole) { return whole == 0 ? 0.0 : static_cast<double>(part) / whole; }

}  // namespace

double TopicCounts::precision() const { return ratio(true_positive, true_positive + false_positive); }
double TopicCounts::recall() const { return ratio(true_positive, true_positive + false_negative); }
double TopicCounts::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

EvalSummary summarize(const std::vector<EvalLine>& lines) {
  EvalSummary s;
  s.n = static_cast<int>(lines.size());
  int exact = 0, with_gold = 0, covered = 0, wrong = 0, handed_off = 0;
  for (const EvalLine& line : lines) {
    const auto& gold = line.gold;
    const auto& predicted = line.predicted;
    if (gold == predicted) ++exact;
    if (!gold.empty()) {
      ++with_gold;
      if (std::any_of(predicted.begin(), predicted.end(), [&](const std::string& t) { return gold.count(t) > 0; })) {
        ++covered;
      }
    }
    if (std::any_of(predicted.begin(), predicted.end(), [&](const std::string& t) { return gold.count(t) == 0; })) {
      ++wrong;
    }
    if (line.handed_off) ++handed_off;
    for (const std::string& t : predicted) {
      ++(gold.count(t) ? s.topics[t].true_positive : s.topics[t].false_positive);
    }
    for (const std::string& t : gold) {
      if (!predicted.count(t)) ++s.topics[t].false_negative;
    }
    const std::set<std::string> none = {kNoTopic};
    for (const std::string& g : gold.empty() ? none : gold) {
      for (const std::string& p : predicted.empty() ? none : predicted) ++s.confusion[g][p];
    }
  }
  s.accuracy = ratio(exact, s.n);
  s.coverage = ratio(covered, with_gold);
  s.wrong = ratio(wrong, s.n);
  s.handoff = ratio(handed_off, s.n);
  return s;
}

}  // namespace xiaoer::tools
