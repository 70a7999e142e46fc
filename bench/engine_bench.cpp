// The engine's cost per message: normalise, classify, and the whole path
// (normalise → classify → decide → render) over a file of buyer messages.
//
//   build/bench/engine_bench --messages=FILE [benchmark flags]
//
// FILE has one message a line (default: bench/sample_messages.txt, written
// by us; for the published figures, the real messages of
// ../shared/data/buyer_messages.txt).
//
// BM_Respond answers the file's lines over and over, so from the second
// round on each text is one the engine has seen. BM_RespondFirstSight
// answers each line once with an engine loaded just before (the load not
// timed): what text never seen before costs, which is most of a shop's.
//
// BM_RespondWithCatalogue is BM_Respond with the example catalogue
// (config/catalogue) loaded and each message about one of its items in
// turn: what per-item answers cost, compared in the same run.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "bench/bench_inputs.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/nlu/core_form.hpp"

namespace {

struct Corpus {
  xiaoer::engine::EngineSources sources;
  std::shared_ptr<const xiaoer::engine::Engine> engine;
  std::shared_ptr<const xiaoer::engine::Engine> with_catalogue;
  std::vector<std::string> item_ids;  // of with_catalogue's catalogue
  std::vector<std::string> messages;
};

Corpus& corpus() {
  static Corpus c;
  return c;
}

void BM_Normalize(benchmark::State& state) {
  const Corpus& c = corpus();
  std::string out;
  std::size_t i = 0;
  for (auto _ : state) {
    c.engine->normalizer().normalize_into(c.messages[i++ % c.messages.size()], out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Normalize);

void BM_Classify(benchmark::State& state) {
  const Corpus& c = corpus();
  std::vector<std::string> normalized;
  for (const std::string& m : c.messages) {
    normalized.push_back(xiaoer::nlu::core_form(c.engine->normalizer().normalize(m)));
  }
  const xiaoer::nlu::Context fresh;
  std::size_t i = 0;
  for (auto _ : state) {
    auto result = xiaoer::nlu::classify(c.engine->intent_set(), normalized[i++ % normalized.size()], fresh);
    benchmark::DoNotOptimize(result.chosen.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Classify);

void BM_Respond(benchmark::State& state) {
  const Corpus& c = corpus();
  const xiaoer::nlu::Context fresh;
  std::size_t i = 0;
  for (auto _ : state) {
    auto outcome = c.engine->respond(c.messages[i++ % c.messages.size()], fresh, "taobao");
    benchmark::DoNotOptimize(outcome.text.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Respond);

void BM_RespondFirstSight(benchmark::State& state) {
  const Corpus& c = corpus();
  const xiaoer::nlu::Context fresh;
  for (auto _ : state) {
    state.PauseTiming();
    const auto engine = xiaoer::engine::Engine::load(c.sources).engine;
    state.ResumeTiming();
    for (const std::string& message : c.messages) {
      auto outcome = engine->respond(message, fresh, "taobao");
      benchmark::DoNotOptimize(outcome.text.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(c.messages.size()));
}
BENCHMARK(BM_RespondFirstSight)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_RespondWithCatalogue(benchmark::State& state) {
  const Corpus& c = corpus();
  const xiaoer::nlu::Context fresh;
  const auto live = std::make_shared<const xiaoer::catalogue::LiveStock>();
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& item = c.item_ids[i % c.item_ids.size()];
    auto outcome = c.with_catalogue->respond(c.messages[i++ % c.messages.size()], fresh, "taobao", {item, live.get()});
    benchmark::DoNotOptimize(outcome.text.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RespondWithCatalogue);

}  // namespace

int main(int argc, char** argv) {
  xiaoer::bench::BenchInputs inputs;
  if (!xiaoer::bench::load_bench_inputs(argc, argv, &inputs)) return 1;
  corpus().sources = inputs.sources;
  corpus().engine = inputs.engine;
  corpus().messages = std::move(inputs.messages);
  xiaoer::engine::EngineSources sources;
  sources.intents_dir = std::string(XIAOER_SOURCE_DIR) + "/intents";
  sources.shop_file = std::string(XIAOER_SOURCE_DIR) + "/config/shop.yaml";
  sources.catalogue = std::string(XIAOER_SOURCE_DIR) + "/config/catalogue";
  auto with_catalogue = xiaoer::engine::Engine::load(sources);
  if (!with_catalogue.engine) {
    std::cerr << "the example catalogue does not load\n";
    return 1;
  }
  corpus().with_catalogue = with_catalogue.engine;
  for (const auto& [id, item] : with_catalogue.engine->catalogue()->items) corpus().item_ids.push_back(id);
  int rest_argc = static_cast<int>(inputs.benchmark_args.size());
  benchmark::Initialize(&rest_argc, inputs.benchmark_args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
