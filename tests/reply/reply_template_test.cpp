#include "daemon/reply/reply_template.hpp"

#include <gtest/gtest.h>

namespace xiaoer::reply {
namespace {

ShopFacts test_shop() {
  ShopFacts shop;
  shop.facts["courier"] = "中通快递";
  shop.default_days = "2-4";
  shop.region_days["新疆"] = "5-7";
  shop.size_chart = {{"S", 150, 159, 40, 49, {}}, {"M", 160, 169, 50, 59, {}}};
  return shop;
}

TEST(ReplyTemplate, FoldsFactsAndRendersCuesAndSlots) {
  const ShopFacts shop = test_shop();
  ReplyTemplate::Error error;
  const auto tpl = ReplyTemplate::compile("亲，发{courier}到{region}要{delivery_days}天{smile}",
                                          {&shop, {"region"}}, &error);
  ASSERT_TRUE(tpl) << error.message;
  common::SlotMap slots;
  slots.set("region", "新疆");
  CueTexts cues = {"[笑]", "[心]", "[歉]", "[谢]", "[花]"};
  std::string out = "前缀:";
  ASSERT_TRUE(tpl->render(shop, slots, cues, out));
  EXPECT_EQ(out, "前缀:亲，发中通快递到新疆要5-7天[笑]");
}

TEST(ReplyTemplate, MissingSlotLeavesOutputUnchanged) {
  const ShopFacts shop = test_shop();
  ReplyTemplate::Error error;
  const auto tpl = ReplyTemplate::compile("到{region}", {&shop, {"region"}}, &error);
  ASSERT_TRUE(tpl);
  std::string out = "x";
  EXPECT_FALSE(tpl->render(shop, {}, CueTexts{}, out));
  EXPECT_EQ(out, "x");
}

TEST(ReplyTemplate, SizeFromChartNeedsHeightAndWeightSlots) {
  const ShopFacts shop = test_shop();
  ReplyTemplate::Error error;
  EXPECT_FALSE(ReplyTemplate::compile("拿{size}码", {&shop, {}}, &error));
  EXPECT_NE(error.message.find("{size} needs slots height and weight"), std::string::npos);
  const auto tpl = ReplyTemplate::compile("拿{size}码", {&shop, {"height", "weight"}}, &error);
  ASSERT_TRUE(tpl);
  common::SlotMap slots;
  slots.set("height", "163");
  slots.set("weight", "45");
  std::string out;
  ASSERT_TRUE(tpl->render(shop, slots, CueTexts{}, out));
  EXPECT_EQ(out, "拿M码");
  slots.set("weight", "not a number");
  out.clear();
  EXPECT_FALSE(tpl->render(shop, slots, CueTexts{}, out));
}

TEST(ReplyTemplate, BracesAndErrorsWithOffsets) {
  const ShopFacts shop = test_shop();
  ReplyTemplate::Error error;
  const auto literal = ReplyTemplate::compile("{{亲}}", {&shop, {}}, &error);
  ASSERT_TRUE(literal);
  std::string out;
  ASSERT_TRUE(literal->render(shop, {}, CueTexts{}, out));
  EXPECT_EQ(out, "{亲}");

  EXPECT_FALSE(ReplyTemplate::compile("ab{nope}", {&shop, {}}, &error));
  EXPECT_EQ(error.offset, 2u);
  EXPECT_NE(error.message.find("unknown placeholder '{nope}'"), std::string::npos);
  EXPECT_FALSE(ReplyTemplate::compile("ab{smile", {&shop, {}}, &error));
  EXPECT_NE(error.message.find("unclosed"), std::string::npos);
  EXPECT_FALSE(ReplyTemplate::compile("a}b", {&shop, {}}, &error));
  EXPECT_EQ(error.offset, 1u);
}

TEST(ShopFacts, RecommendsTheLargerFittingSize) {
  const ShopFacts shop = test_shop();
  EXPECT_EQ(shop.recommend_size(155, 45), "S");
  EXPECT_EQ(shop.recommend_size(155, 55), "M");
  EXPECT_EQ(shop.recommend_size(165, 42), "M");
  EXPECT_EQ(shop.recommend_size(185, 55), std::nullopt);
  EXPECT_EQ(shop.delivery_days("西藏"), "2-4");
}

}  // namespace
}  // namespace xiaoer::reply
