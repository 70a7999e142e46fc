// What the Google Benchmark programs share: the shipped engine and a file
// of buyer messages, one a line (--messages=FILE; default our own
// bench/sample_messages.txt). Header-only: each benchmark is one program.
#pragma once

#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "daemon/engine/engine.hpp"

namespace xiaoer::bench {

struct BenchInputs {
  engine::EngineSources sources;  // what `engine` was loaded from
  std::shared_ptr<const engine::Engine> engine;
  std::vector<std::string> messages;
  std::vector<char*> benchmark_args;  // argv without --messages, for benchmark::Initialize
};

// Loads both; false (with the reason on stderr) if either fails.
inline bool load_bench_inputs(int argc, char** argv, BenchInputs* out) {
  std::string messages = std::string(XIAOER_SOURCE_DIR) + "/bench/sample_messages.txt";
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--messages=", 11) == 0) {
      messages = argv[i] + 11;
    } else {
      out->benchmark_args.push_back(argv[i]);
    }
  }
  engine::EngineSources& sources = out->sources;
  sources.intents_dir = std::string(XIAOER_SOURCE_DIR) + "/intents";
  sources.shop_file = std::string(XIAOER_SOURCE_DIR) + "/config/shop.yaml";
  auto loaded = engine::Engine::load(sources);
  if (!loaded.engine) {
    for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
    return false;
  }
  out->engine = loaded.engine;
  std::ifstream in(messages);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out->messages.push_back(line);
  }
  if (out->messages.empty()) {
    std::cerr << messages << ": no messages\n";
    return false;
  }
  std::cerr << "messages: " << out->messages.size() << " from " << messages << "\n";
  return true;
}

}  // namespace xiaoer::bench
