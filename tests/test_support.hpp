// Helpers shared by the tests: the real OpenCC normaliser, and engines built
// from YAML written inline in a test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/engine/engine.hpp"
#include "daemon/nlu/intent_loader.hpp"
#include "daemon/nlu/normalizer.hpp"
#include "daemon/reply/shop_facts.hpp"

namespace xiaoer::testing {

inline std::shared_ptr<const nlu::Normalizer> normalizer() {
  static const std::shared_ptr<const nlu::Normalizer> shared = [] {
    std::string error;
    auto n = nlu::Normalizer::from_opencc(std::string(nlu::Normalizer::kDefaultDictionary), &error);
    if (!n) ADD_FAILURE() << error;
    return n;
  }();
  return shared;
}

// A small shop for tests: every fact the test intents use.
inline constexpr const char* kTestShop = R"(
name: 测试小店
facts:
  courier: 中通快递
  dispatch_hours: '48'
delivery:
  default_days: '2-4'
  regions: {新疆: '5-7'}
size_chart:
  - {size: S, height_cm: [150, 159], weight_kg: [40, 49]}
  - {size: M, height_cm: [160, 169], weight_kg: [50, 59]}
  - {size: L, height_cm: [170, 179], weight_kg: [60, 69]}
emoji:
  default: {smile: '😊'}
  taobao: {smile: '/:^_^'}
banned_words: [最便宜]
)";

inline constexpr const char* kTestFallback = R"(
fallback:
  replies: ['亲，您想问什么呢{smile}']
  handoff_after: 2
  handoff_replies: ['亲，马上为您转人工客服{smile}']
  queue_replies: ['您排在第{position}位']
  after_hours_replies: ['现在是下班时间']
  notice_replies: ['亲，客服马上就来{smile}']
)";

struct BuiltEngine {
  std::shared_ptr<const engine::Engine> engine;
  common::Diagnostics diagnostics;
};

// Builds an engine from (file name, YAML) pairs and the test shop; the
// fallback file is added unless `files` has one.
inline BuiltEngine build_engine(const std::vector<std::pair<std::string, std::string>>& files,
                                const std::string& shop = kTestShop) {
  nlu::LoadedCatalog loaded;
  bool has_fallback = false;
  for (const auto& [name, text] : files) {
    nlu::load_intent_source(name, text, *normalizer(), loaded);
    has_fallback = has_fallback || text.find("fallback:") != std::string::npos;
  }
  if (!has_fallback) nlu::load_intent_source("fallback.yaml", kTestFallback, *normalizer(), loaded);
  reply::LoadedShopFacts facts = reply::load_shop_facts_source("shop.yaml", shop);
  BuiltEngine built;
  built.diagnostics = loaded.diagnostics;
  built.diagnostics.insert(built.diagnostics.end(), facts.diagnostics.begin(), facts.diagnostics.end());
  if (common::has_errors(built.diagnostics)) return built;
  auto result = engine::Engine::build(normalizer(), std::move(loaded.catalog), std::move(facts.facts),
                                      nlu::IntentSet::Options{});
  built.engine = result.engine;
  built.diagnostics.insert(built.diagnostics.end(), result.diagnostics.begin(), result.diagnostics.end());
  return built;
}

// All diagnostics as text, one a line, for assertion messages.
inline std::string describe(const common::Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.to_string() + "\n";
  return out;
}

}  // namespace xiaoer::testing
