#include "daemon/nlu/slots.hpp"

#include <gtest/gtest.h>

namespace xiaoer::nlu {
namespace {

TEST(Slots, HeightAndWeightWithUnitsAndCues) {
  const Body body = extract_body("身高165体重110斤穿什么码", false);
  EXPECT_EQ(body.height_cm, 165);
  EXPECT_EQ(body.weight_kg, 55);
}

TEST(Slots, MetresKilogramsAndOrder) {
  Body body = extract_body("55kg 1米65", false);
  EXPECT_EQ(body.height_cm, 165);
  EXPECT_EQ(body.weight_kg, 55);
  body = extract_body("1.72m 60公斤", false);
  EXPECT_EQ(body.height_cm, 172);
  EXPECT_EQ(body.weight_kg, 60);
  body = extract_body("1m7 一百二十斤", false);
  EXPECT_EQ(body.height_cm, 170);
  EXPECT_EQ(body.weight_kg, 60);
}

TEST(Slots, ChineseNumeralWeight) {
  EXPECT_EQ(extract_body("一百三十斤", false).weight_kg, 65);
  EXPECT_EQ(extract_body("体重一百二", false).weight_kg, 60);  // 一百二 is 120
  EXPECT_EQ(extract_body("九十斤能穿吗", false).weight_kg, 45);
  EXPECT_EQ(extract_body("一百零五斤", false).weight_kg, 53);
  EXPECT_EQ(extract_body("五十五公斤", false).weight_kg, 55);
  EXPECT_EQ(extract_body("两百斤", false).weight_kg, 100);
  const Body body = extract_body("一米五八 一百一十斤", false);
  EXPECT_EQ(body.height_cm, 158);
  EXPECT_EQ(body.weight_kg, 55);
  // Without a unit or a cue a Chinese numeral is not a measure.
  EXPECT_FALSE(extract_body("十一发货吗", true).weight_kg);
  EXPECT_FALSE(extract_body("一百二十个", false).weight_kg);
}

TEST(Slots, BareNumbersFillWhatIsNotKnownYet) {
  EXPECT_EQ(extract_body("110", true).weight_kg, 55);  // a bare height is 140–210
  Body known;
  known.height_cm = 165;
  EXPECT_EQ(extract_body("150", true, known).weight_kg, 75);  // asked for the weight: 150 is 斤
  EXPECT_FALSE(extract_body("150", true, known).height_cm);
  const Body again = extract_body("170 120", true, known);  // both given again
  EXPECT_EQ(again.height_cm, 170);
  EXPECT_EQ(again.weight_kg, 60);
  EXPECT_EQ(extract_body("身高170", true, known).height_cm, 170);  // a cue still corrects it
}

TEST(Slots, HeightWrittenAroundTheNumber) {
  EXPECT_EQ(extract_body("165的身高", true).height_cm, 165);
  EXPECT_EQ(extract_body("身高165", false).height_cm, 165);
  EXPECT_EQ(extract_body("我165", true).height_cm, 165);
  EXPECT_EQ(extract_body("一米六", false).height_cm, 160);
}

TEST(Slots, ChineseNumeralHeight) {
  EXPECT_EQ(extract_body("一米六五 100斤", false).height_cm, 165);
  EXPECT_EQ(extract_body("我一米七", false).height_cm, 170);
}

TEST(Slots, BareNumbersOnlyWhenAllowed) {
  EXPECT_FALSE(extract_body("165 110", false).height_cm);
  const Body body = extract_body("165 110", true);
  EXPECT_EQ(body.height_cm, 165);
  EXPECT_EQ(body.weight_kg, 55);  // 110 is read as 斤
  EXPECT_EQ(extract_body("170 65", true).weight_kg, 65);  // under 80 is kg
}

TEST(Slots, IgnoresLongNumbersAndImplausibleValues) {
  const Body body = extract_body("订单12345678901 600斤", true);
  EXPECT_FALSE(body.height_cm);
  EXPECT_FALSE(body.weight_kg);
  EXPECT_FALSE(extract_body("买了2件", true).weight_kg);
}

TEST(Slots, OrderNumber) {
  EXPECT_EQ(extract_order_no("单号 123456789012 到哪了"), "123456789012");
  EXPECT_EQ(extract_order_no("[订单x] 到哪了"), "[订单x]");
  EXPECT_FALSE(extract_order_no("我的快递到哪了 12345"));
}

TEST(SlotMap, SetReplacesAndMergeOverrides) {
  SlotMap a;
  a.set("height", "160");
  a.set("height", "165");
  SlotMap b;
  b.set("weight", "55");
  b.set("height", "170");
  a.merge(b);
  ASSERT_NE(a.find("height"), nullptr);
  EXPECT_EQ(*a.find("height"), "170");
  EXPECT_EQ(*a.find("weight"), "55");
  EXPECT_EQ(a.find("region"), nullptr);
}

}  // namespace
}  // namespace xiaoer::nlu
