// Runs every intent's `examples:` and `not_examples:` through the engine:
// the intent files' own regression tests.
#pragma once

#include "daemon/common/diagnostic.hpp"
#include "daemon/engine/engine.hpp"

namespace xiaoer::engine {

struct ExampleReport {
  int passed = 0;
  int failed = 0;
  common::Diagnostics failures;  // one per failed line, at its place in the file
};

// Each example is answered alone (a fresh chat) on the default channel: an
// example must choose its intent, a not_example must not.
ExampleReport check_examples(const Engine& engine);

}  // namespace xiaoer::engine
