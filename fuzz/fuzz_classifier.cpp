// libFuzzer target: Engine::respond (shipped intents and shop) on arbitrary bytes.
// The body, and what it checks, is fuzz_classifier() in fuzz/fuzz_targets.hpp.
#include "fuzz/fuzz_targets.hpp"

// The shipped engine is loaded once, before the first input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)xiaoer::fuzz::shipped_engine();
  return 0;
}

XIAOER_FUZZ_TARGET(fuzz_classifier)
