// read_size_chart(): the one reader of the shop's chart and the items'
// (file:line:col errors; the shop's format needs both ranges and takes no
// garment measurements).
#include "daemon/catalogue/size_chart_yaml.hpp"

#include <gtest/gtest.h>

#include "tests/test_support.hpp"

namespace xiaoer::catalogue {
namespace {

std::vector<SizeRow> read(const std::string& text, ChartFormat format, common::Diagnostics* diagnostics) {
  common::YamlReader reader("chart.yaml", *diagnostics);
  const auto root = reader.parse(text);
  if (!root) return {};
  return read_size_chart(reader, *root, format);
}

TEST(SizeChartYaml, ReadsRangesAndMeasurementsInOrder) {
  common::Diagnostics diagnostics;
  const auto rows = read("- {size: M, height_cm: [155, 165], weight_kg: [45, 55], cm: {袖长: 20.5, 胸围: 100}}\n"
                         "- {size: L, cm: {袖长: 21}}\n",
                         {}, &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << testing::describe(diagnostics);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].size, "M");
  EXPECT_EQ(rows[0].height_min, 155);
  EXPECT_EQ(rows[0].weight_max, 55);
  ASSERT_EQ(rows[0].measurements.size(), 2u);
  EXPECT_EQ(rows[0].measurements[0].first, "袖长");
  EXPECT_DOUBLE_EQ(rows[0].measurements[0].second, 20.5);
  EXPECT_EQ(rows[1].height_max, 0) << "an item's row may give measurements alone";
}

TEST(SizeChartYaml, TheShopsFormatNeedsBothRangesAndNoMeasurements) {
  common::Diagnostics diagnostics;
  read("- {size: M, height_cm: [155, 165]}\n"
       "- {size: L, height_cm: [165, 175], weight_kg: [55, 65], cm: {袖长: 21}}\n",
       {.ranges_required = true, .measurements = false}, &diagnostics);
  const std::string all = testing::describe(diagnostics);
  EXPECT_NE(all.find("chart.yaml:1:3: size_chart row needs 'weight_kg': [min, max]"), std::string::npos) << all;
  EXPECT_NE(all.find("chart.yaml:2:"), std::string::npos) << all;
  EXPECT_NE(all.find("cm"), std::string::npos) << all;
}

TEST(SizeChartYaml, BadRangesAndATwiceNamedSizeAreErrorsAtTheirPlace) {
  common::Diagnostics diagnostics;
  const auto rows = read("- {size: M, height_cm: [170, 160]}\n"
                         "- {size: m, weight_kg: [40]}\n"
                         "- {height_cm: [150, 160]}\n",
                         {}, &diagnostics);
  const std::string all = testing::describe(diagnostics);
  EXPECT_NE(all.find("chart.yaml:1:24: height_cm has min over max"), std::string::npos) << all;
  EXPECT_NE(all.find("chart.yaml:2:10: size 'm' is in the chart twice"), std::string::npos) << all;
  EXPECT_NE(all.find("chart.yaml:2:24: weight_kg must be [min, max]"), std::string::npos) << all;
  EXPECT_NE(all.find("chart.yaml:3:3: size_chart row needs 'size'"), std::string::npos) << all;
  EXPECT_EQ(rows.size(), 2u) << "a row without a size is skipped, the others kept";
}

}  // namespace
}  // namespace xiaoer::catalogue
