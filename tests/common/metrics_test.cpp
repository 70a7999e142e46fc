// Metrics::render_prometheus (issue 10, defect 8: it had no unit test): the
// Prometheus text format, every family with its HELP and TYPE, labelled
// counters, gauges and cumulative histogram buckets.
#include "daemon/common/metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace xiaoer::common {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

TEST(MetricsRendering, CountersGaugesAndHistogramsInTheTextFormat) {
  Metrics m;
  m.answers_by_type.with("reply").add(3);
  m.answers_by_type.with("error").add();
  m.pushes_expired.add(2);
  m.journal_sync_failures.add();
  m.connections_gateway = 4;
  m.gauges.push_back({"xiaoer_test_gauge", "A gauge.", [] { return 1.5; }});
  m.answer_latency.observe(0.0003);
  m.answer_latency.observe(7.0);
  const std::string text = m.render_prometheus();
  EXPECT_TRUE(has_line(text, "# TYPE xiaoer_answers_total counter")) << text;
  EXPECT_TRUE(has_line(text, "xiaoer_answers_total{type=\"reply\"} 3")) << text;
  EXPECT_TRUE(has_line(text, "xiaoer_answers_total{type=\"error\"} 1")) << text;
  EXPECT_TRUE(has_line(text, "xiaoer_pushes_expired_total 2")) << text;
  EXPECT_TRUE(has_line(text, "xiaoer_journal_sync_failures_total 1")) << text;
  EXPECT_TRUE(has_line(text, "xiaoer_connections{role=\"gateway\"} 4")) << text;
  EXPECT_TRUE(has_line(text, "# TYPE xiaoer_test_gauge gauge")) << text;
  EXPECT_TRUE(has_line(text, "xiaoer_test_gauge 1.5")) << text;
  // Cumulative: 0.0003 s falls in le=0.0005 and every bucket above it.
  EXPECT_TRUE(has_line(text, "xiaoer_answer_latency_seconds_bucket{le=\"0.00025\"} 0")) << text;
  EXPECT_TRUE(has_line(text, "xiaoer_answer_latency_seconds_bucket{le=\"0.0005\"} 1")) << text;
  EXPECT_TRUE(has_line(text, "xiaoer_answer_latency_seconds_bucket{le=\"5\"} 1")) << text;
  EXPECT_TRUE(has_line(text, "xiaoer_answer_latency_seconds_bucket{le=\"+Inf\"} 2")) << text;
  EXPECT_TRUE(has_line(text, "xiaoer_answer_latency_seconds_count 2")) << text;
  // Every sample's family is declared before it.
  std::istringstream in(text);
  std::string declared;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      declared = line.substr(7, line.find(' ', 7) - 7);
    } else if (line.rfind("#", 0) != 0) {
      EXPECT_EQ(line.rfind(declared, 0), 0u) << line << " follows the TYPE of " << declared;
    }
  }
}

}  // namespace
}  // namespace xiaoer::common
