// The engine with a catalogue (docs/catalogue.md): the shipped intents, shop
// facts and example catalogue answer about the message's item, ask which
// item when none is known, and keep today's answers without a catalogue.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "daemon/engine/engine.hpp"
#include "daemon/engine/engine_store.hpp"
#include "tests/test_dir.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::engine {
namespace {

constexpr std::string_view kTee = "680000000101";   // 100%棉, 宽松, 袖长 20-23
constexpr std::string_view kCoat = "680000000401";  // 90%羊毛, 驼色M out, 燕麦色 pre-sale

EngineSources sources(bool with_catalogue) {
  EngineSources s;
  s.intents_dir = std::string(XIAOER_SOURCE_DIR) + "/intents";
  s.shop_file = std::string(XIAOER_SOURCE_DIR) + "/config/shop.yaml";
  if (with_catalogue) s.catalogue = std::string(XIAOER_SOURCE_DIR) + "/config/catalogue";
  return s;
}

class EngineCatalogue : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Engine::LoadResult with = Engine::load(sources(true));
    ASSERT_NE(with.engine, nullptr) << testing::describe(with.diagnostics);
    EXPECT_TRUE(with.diagnostics.empty()) << testing::describe(with.diagnostics);
    with_ = with.engine;
    without_ = Engine::load(sources(false)).engine;
    ASSERT_NE(without_, nullptr);
  }
  static void TearDownTestSuite() {
    with_.reset();
    without_.reset();
  }

  static Outcome ask(std::string_view text, std::string_view item, const catalogue::LiveStock* live = nullptr) {
    return with_->respond(text, {}, "default", {item, live});
  }

  static std::shared_ptr<const Engine> with_, without_;
};

std::shared_ptr<const Engine> EngineCatalogue::with_;
std::shared_ptr<const Engine> EngineCatalogue::without_;

TEST_F(EngineCatalogue, TwoItemsGiveTheirOwnFabric) {
  const Outcome tee = ask("什么面料的", kTee);
  const Outcome coat = ask("什么面料的", kCoat);
  EXPECT_NE(tee.text.find("100%棉"), std::string::npos) << tee.text;
  EXPECT_NE(coat.text.find("90%羊毛10%羊绒"), std::string::npos) << coat.text;
  EXPECT_EQ(tee.text.find("95%棉5%氨纶"), std::string::npos) << tee.text;  // never the shop's
  EXPECT_NE(ask("怎么洗", kCoat).text.find("只能干洗"), std::string::npos);
}

TEST_F(EngineCatalogue, SizeFromTheItemsOwnChart) {
  // 172 cm / 65 kg: L on the T-shirt's chart (168-176), off the coat's (≤175 cm,
  // ≤68 kg: L too) — and XL on the shop's chart.
  const Outcome tee = ask("身高172体重65kg穿什么码", kTee);
  EXPECT_NE(tee.text.find("L码"), std::string::npos) << tee.text;
  const Outcome shop = without_->respond("身高172体重65kg穿什么码", {}, "default");
  EXPECT_NE(shop.text.find("XL码"), std::string::npos) << shop.text;
  const Outcome sleeve = ask("l的袖长多少", kTee);
  EXPECT_NE(sleeve.text.find("L码袖长22cm"), std::string::npos) << sleeve.text;
  const Outcome coat_sleeve = ask("l的袖长多少", kCoat);
  EXPECT_NE(coat_sleeve.text.find("L码袖长58cm"), std::string::npos) << coat_sleeve.text;
  EXPECT_NE(ask("有尺码表吗", kCoat).text.find("S码 身高150-160cm"), std::string::npos);
}

TEST_F(EngineCatalogue, StockNamesTheColourAndSizeAsked) {
  const Outcome in = ask("黑色m还有吗", kTee);
  EXPECT_NE(in.text.find("黑色M码有现货"), std::string::npos) << in.text;
  const Outcome out = ask("驼色m还有吗", kCoat);
  EXPECT_NE(out.text.find("驼色M码暂时缺货，预计12月5日补货"), std::string::npos) << out.text;
  const Outcome pre = ask("燕麦色的l有货吗", kCoat);
  EXPECT_NE(pre.text.find("燕麦色L码是预售，预计12月10日发货"), std::string::npos) << pre.text;
  const Outcome colour = ask("驼色还有吗", kCoat);
  EXPECT_NE(colour.text.find("驼色S/L有现货，M暂时缺货（预计12月5日补货）"), std::string::npos) << colour.text;
  const Outcome absent = ask("紫色还有吗", kCoat);
  EXPECT_NE(absent.text.find("这款没有紫色，颜色有驼色、黑色、燕麦色"), std::string::npos) << absent.text;
  const Outcome no_size = ask("xxl还有吗", kTee);
  EXPECT_NE(no_size.text.find("这款没有XXL码，尺码有S、M、L、XL"), std::string::npos) << no_size.text;
}

TEST_F(EngineCatalogue, LiveStockIsAnsweredAtOnce) {
  const catalogue::Item& tee = *with_->catalogue()->find(kTee);
  const auto live = std::make_shared<const catalogue::LiveStock>()->with(
      {std::string(kTee), {{"黑色", "M", {catalogue::Availability::kOut, "2026-12-24"}}}, tee.updated_at_ms + 1});
  const Outcome out = ask("黑色m还有吗", kTee, live.get());
  EXPECT_NE(out.text.find("黑色M码暂时缺货，预计12月24日补货"), std::string::npos) << out.text;
}

TEST_F(EngineCatalogue, NoItemOrAnUnknownOneAsksWhichItem) {
  for (std::string_view item : {std::string_view(), std::string_view("999")}) {
    for (const char* text : {"什么面料的", "黑色m还有吗", "l的袖长多少"}) {
      const Outcome o = ask(text, item);
      EXPECT_TRUE(o.asked_for_item) << text;
      EXPECT_EQ(o.kind, Outcome::Kind::kReply) << text;
      EXPECT_NE(o.text.find("商品链接"), std::string::npos) << text << " → " << o.text;
      EXPECT_EQ(o.text.find("95%棉"), std::string::npos) << o.text;
      EXPECT_FALSE(o.topics.empty()) << text;  // the question still counts as its topic
    }
  }
  // Questions about the shop, not the item, are answered as before.
  const Outcome courier = ask("发什么快递", "");
  EXPECT_FALSE(courier.asked_for_item);
  EXPECT_EQ(courier.text, without_->respond("发什么快递", {}, "default").text);
}

TEST_F(EngineCatalogue, TheItemSentAfterTheQuestionBackAnswersIt) {
  const Outcome asked = ask("什么面料的", "");
  ASSERT_TRUE(asked.asked_for_item);
  const Outcome answered =
      with_->respond("https://item.taobao.com/item.htm?id=680000000401", asked.next, "default", {kCoat});
  EXPECT_NE(answered.text.find("90%羊毛"), std::string::npos) << answered.text;
  EXPECT_TRUE(answered.classification.from_context);
}

TEST_F(EngineCatalogue, WithoutACatalogueTheShopFactsServeAsBefore) {
  EXPECT_EQ(without_->catalogue(), nullptr);
  const Outcome fabric = without_->respond("什么面料的", {}, "default", {kTee});
  EXPECT_NE(fabric.text.find("95%棉5%氨纶"), std::string::npos) << fabric.text;
  const Outcome stock = without_->respond("黑色m还有吗", {}, "default", {kTee});
  EXPECT_NE(stock.text.find("灰色不能选"), std::string::npos) << stock.text;
  EXPECT_FALSE(stock.asked_for_item);
}

TEST_F(EngineCatalogue, ACatalogueWithABadCsvRowIsRefusedAndTheOldEngineServes) {
  const auto dir = testing::fresh_test_dir("xiaoer-bad-catalogue-");
  std::filesystem::create_directories(dir);
  std::filesystem::copy(std::string(XIAOER_SOURCE_DIR) + "/config/catalogue", dir);
  {
    std::ofstream csv(dir / "stock.csv", std::ios::app);
    csv << "680000000101,黑色,M,sold,,,\n";
  }
  EngineStore store(with_);
  EngineSources next = sources(true);
  next.catalogue = dir.string();
  const Engine::LoadResult reloaded = Engine::load(next);
  EXPECT_EQ(reloaded.engine, nullptr);
  ASSERT_FALSE(reloaded.diagnostics.empty());
  EXPECT_EQ(reloaded.diagnostics[0].to_string().rfind((dir / "stock.csv").string() + ":8:19: status must be", 0), 0u)
      << reloaded.diagnostics[0].to_string();
  if (reloaded.engine) store.publish(reloaded.engine);
  EXPECT_NE(store.snapshot()->respond("什么面料的", {}, "default", {kTee}).text.find("100%棉"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xiaoer::engine
