// The shipped intents and shop facts (intents/, config/shop.yaml): they load
// without errors or warnings, every example passes, and a buyer writing in
// Traditional Chinese gets the same answer as in Simplified.
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

}  // namespace
}  // namespace xiaoer::engine
