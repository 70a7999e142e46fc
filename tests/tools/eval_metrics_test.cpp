#include "daemon/tools/eval_metrics.hpp"

#include <gtest/gtest.h>

namespace xiaoer::tools {
namespace {

TEST(EvalMetrics, ComputesTheSpecMetrics) {
  const std::vector<EvalLine> lines = {
      {"a", {"shipping"}, {"shipping"}, false},             // exact
      {"b", {"shipping", "invoice"}, {"shipping"}, false},  // covered, not exact
      {"c", {}, {}, false},                                 // exact none
      {"d", {}, {"discount"}, false},                       // wrong
      {"e", {"refund"}, {"complaint"}, true},               // wrong, not covered, handed off
  };
  const EvalSummary s = summarize(lines);
  EXPECT_EQ(s.n, 5);
  EXPECT_DOUBLE_EQ(s.accuracy, 2.0 / 5);
  EXPECT_DOUBLE_EQ(s.coverage, 2.0 / 3);
  EXPECT_DOUBLE_EQ(s.wrong, 2.0 / 5);
  EXPECT_DOUBLE_EQ(s.handoff, 1.0 / 5);
  EXPECT_EQ(s.topics.at("shipping").true_positive, 2);
  EXPECT_DOUBLE_EQ(s.topics.at("shipping").precision(), 1.0);
  EXPECT_DOUBLE_EQ(s.topics.at("invoice").recall(), 0.0);
  EXPECT_EQ(s.topics.at("discount").false_positive, 1);
  EXPECT_EQ(s.confusion.at("none").at("discount"), 1);
  EXPECT_EQ(s.confusion.at("refund").at("complaint"), 1);
  EXPECT_EQ(s.confusion.at("invoice").at("shipping"), 1);
}

TEST(EvalMetrics, EmptyInputIsAllZero) {
  const EvalSummary s = summarize({});
  EXPECT_EQ(s.n, 0);
  EXPECT_EQ(s.accuracy, 0);
  EXPECT_EQ(s.coverage, 0);
}

}  // namespace
}  // namespace xiaoer::tools
