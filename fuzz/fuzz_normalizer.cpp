// libFuzzer target: Normalizer::normalize on arbitrary bytes.
// The body, and what it checks, is fuzz_normalizer() in fuzz/fuzz_targets.hpp.
#include "fuzz/fuzz_targets.hpp"

// The OpenCC dictionary is read once, before the first input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)xiaoer::fuzz::normalizer();
  return 0;
}

XIAOER_FUZZ_TARGET(fuzz_normalizer)
