// libFuzzer target: load_intent_source + IntentSet::build (+ Engine::build) on
// arbitrary YAML.
// The body, and what it checks, is fuzz_intent_loader() in fuzz/fuzz_targets.hpp.
#include "fuzz/fuzz_targets.hpp"

// The OpenCC dictionary and the test shop are read once, before the first input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)xiaoer::fuzz::normalizer();
  (void)xiaoer::fuzz::fuzz_shop();
  return 0;
}

XIAOER_FUZZ_TARGET(fuzz_intent_loader)
