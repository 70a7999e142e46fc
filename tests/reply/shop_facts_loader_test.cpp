#include "daemon/reply/shop_facts.hpp"

#include <gtest/gtest.h>

#include "tests/test_support.hpp"

namespace xiaoer::reply {
namespace {

TEST(ShopFactsLoader, ReadsEverySection) {
  const LoadedShopFacts loaded = load_shop_facts_source("shop.yaml", std::string(testing::kTestShop) +
                                                                         "business_hours: {open: '08:30', close: '22:00'}\n");
  ASSERT_TRUE(loaded.diagnostics.empty()) << testing::describe(loaded.diagnostics);
  const ShopFacts& shop = loaded.facts;
  EXPECT_EQ(shop.name, "测试小店");
  EXPECT_EQ(shop.facts.at("courier"), "中通快递");
  EXPECT_EQ(shop.delivery_days("新疆"), "5-7");
  ASSERT_EQ(shop.size_chart.size(), 3u);
  EXPECT_EQ(shop.size_chart[1].size, "M");
  EXPECT_EQ(shop.business_hours.open_minute, 8 * 60 + 30);
  EXPECT_EQ(shop.emoji.for_channel("taobao")[static_cast<int>(Cue::kSmile)], "/:^_^");
  EXPECT_EQ(shop.emoji.for_channel("taobao")[static_cast<int>(Cue::kSorry)], "🙏");  // from Unicode defaults
  EXPECT_EQ(shop.banned_words, std::vector<std::string>{"最便宜"});
}

TEST(ShopFactsLoader, ErrorsNameTheirPlace) {
  const LoadedShopFacts loaded = load_shop_facts_source("shop.yaml", R"(facts:
  courier: 中通快递
  contact: 加微信 abc
size_chart:
  - {size: S, height_cm: [160, 150], weight_kg: [40, 50]}
emoji:
  default: {grin: ':D'}
business_hours: {open: '9am', close: '23:00'}
colour: red
)");
  const std::string all = testing::describe(loaded.diagnostics);
  EXPECT_NE(all.find("shop.yaml:3:12: fact 'contact' names a third-party platform or contact"), std::string::npos) << all;
  EXPECT_NE(all.find("shop.yaml:5:26: height_cm has min over max"), std::string::npos) << all;
  EXPECT_NE(all.find("shop.yaml:7:13: unknown emoji cue 'grin'"), std::string::npos) << all;
  EXPECT_NE(all.find("shop.yaml:8:24: open must be HH:MM"), std::string::npos) << all;
  EXPECT_NE(all.find("shop.yaml:9:1: unknown field 'colour'"), std::string::npos) << all;
}

}  // namespace
}  // namespace xiaoer::reply
