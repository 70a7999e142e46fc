// The shipped intents and shop facts (intents/, config/shop.yaml): they load
// without errors or warnings, every example passes, a buyer writing in
// Traditional Chinese gets the same answer as in Simplified, and a clothing
// shop's everyday phrasings get the intent and the kind of reply they need.
#include <opencc/SimpleConverter.hpp>

#include <gtest/gtest.h>

#include "daemon/engine/engine.hpp"
#include "daemon/engine/example_check.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::engine {
namespace {

std::shared_ptr<const Engine> shipped(common::Diagnostics* diagnostics) {
  EngineSources sources;
  sources.intents_dir = std::string(XIAOER_SOURCE_DIR) + "/intents";
  sources.shop_file = std::string(XIAOER_SOURCE_DIR) + "/config/shop.yaml";
  Engine::LoadResult loaded = Engine::load(sources);
  *diagnostics = loaded.diagnostics;
  return loaded.engine;
}

TEST(ShippedIntents, LoadCleanlyAndEveryExamplePasses) {
  common::Diagnostics diagnostics;
  const auto engine = shipped(&diagnostics);
  ASSERT_NE(engine, nullptr) << testing::describe(diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << testing::describe(diagnostics);  // no costly-pattern warnings either
  const ExampleReport report = check_examples(*engine);
  EXPECT_EQ(report.failed, 0) << testing::describe(report.failures);
  EXPECT_GT(report.passed, 100);
}

TEST(ShippedIntents, EveryTopicOfTheSpecIsAnswered) {
  common::Diagnostics diagnostics;
  const auto engine = shipped(&diagnostics);
  ASSERT_NE(engine, nullptr);
  std::set<std::string> topics;
  for (const auto& intent : engine->intent_set().intents()) {
    topics.insert(intent.topic);
    EXPECT_FALSE(intent.examples.empty()) << intent.name;
  }
  for (const char* topic : {"greeting", "size", "material", "shipping", "invoice", "refund", "discount", "stock",
                            "human", "complaint", "thanks"}) {
    EXPECT_TRUE(topics.count(topic)) << topic;
  }
}

TEST(ShippedIntents, TraditionalChineseIsAnsweredLikeSimplified) {
  common::Diagnostics diagnostics;
  const auto engine = shipped(&diagnostics);
  ASSERT_NE(engine, nullptr);
  const opencc::SimpleConverter to_traditional("s2t.json");
  const nlu::Context fresh;
  int compared = 0;
  for (const auto& intent : engine->intent_set().intents()) {
    for (const auto& example : intent.examples) {
      const std::string traditional = to_traditional.Convert(example.text);
      const Outcome simplified_outcome = engine->respond(example.text, fresh, "default");
      const Outcome traditional_outcome = engine->respond(traditional, fresh, "default");
      EXPECT_EQ(traditional_outcome.intents, simplified_outcome.intents) << example.text << " / " << traditional;
      ++compared;
    }
  }
  EXPECT_GT(compared, 100);
}

// A clothing shop's everyday questions, in buyers' words (not the intents'
// examples): the intent chosen first, and what the reply must and must not
// say. 😊 is the default channel's smile, 🙏 its apology: a buyer with a
// problem hears an apology, never a smile.
struct Phrasing {
  const char* text;
  const char* intent;
  const char* must_say;  // a fragment of the reply ("" = anything)
  bool smile_allowed;
};

TEST(ShippedIntents, EverydayPhrasingsGetTheIntentAndAFittingReply) {
  common::Diagnostics diagnostics;
  const auto engine = shipped(&diagnostics);
  ASSERT_NE(engine, nullptr);
  const Phrasing phrasings[] = {
      {"老板在吗😊", "greeting.hello", "", true},
      {"客服小姐姐在不在 [微笑]", "greeting.hello", "", true},
      {"我一米六二 100斤", "size.recommend", "M码", true},
      {"腿有点粗 这条能穿吗", "size.fit", "", true},
      {"外套收到了 袖子短了一截", "size.fit_after", "换尺码", false},
      {"鞋子太挤脚了 想换大半码", "size.fit_after", "换尺码", false},
      {"毛衣才洗一次就起球了", "material.defect", "来回运费由我们承担", false},
      {"裤子裆那里开线了", "material.defect", "来回运费由我们承担", false},
      {"实物颜色比图片暗好多", "material.defect", "来回运费由我们承担", false},
      {"这件能扔洗衣机里洗吗", "material.care", "机洗", true},
      {"想把卡其色换成黑色的", "refund.exchange", "换货", true},
      {"你们发错颜色了", "refund.wrong_item", "运费", false},
      {"杏色的m码还有吗", "stock.available", "", true},
      {"是现货还是预售啊", "stock.available", "", true},
      {"物流说已经签收了 可我啥也没拿到", "shipping.signed_missing", "订单号", false},
      {"下了两条裤子只寄来一条", "shipping.partial", "订单号", false},
      {"单号四天没更新了", "shipping.stale", "订单号", false},
      {"别给我放快递柜 要送上门", "shipping.locker", "送货上门", true},
      {"我们村里快递能送到吗", "shipping.village", "村", true},
      {"能不能早点送到 下周一要穿", "shipping.earlier", "顺丰", false},
      {"叫你们店长出来说话", "human.request", "人工", true},
      {"你们这就是糊弄人 我要去投诉", "complaint.angry", "抱歉", false},
      {"好的 那我再等等", "thanks.ack", "", true},
      {"辛苦啦 麻烦你了", "thanks.thank", "", true},
  };
  const nlu::Context fresh;
  for (const Phrasing& p : phrasings) {
    const Outcome o = engine->respond(p.text, fresh, "default");
    ASSERT_FALSE(o.intents.empty()) << p.text;
    EXPECT_EQ(o.intents.front(), p.intent) << p.text;
    EXPECT_NE(o.text.find(p.must_say), std::string::npos) << p.text << " → " << o.text;
    if (!p.smile_allowed) {
      EXPECT_EQ(o.text.find("😊"), std::string::npos) << p.text << " → " << o.text;
      EXPECT_NE(o.text.find("🙏"), std::string::npos) << p.text << " → " << o.text;
    }
  }
}

}  // namespace
}  // namespace xiaoer::engine
