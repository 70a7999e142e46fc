// libFuzzer target: ReplyTemplate::compile against a small shop, then render with
// slots taken from the input.
// The body, and what it checks, is fuzz_template() in fuzz/fuzz_targets.hpp.
#include "fuzz/fuzz_targets.hpp"

// The test shop is loaded once, before the first input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)xiaoer::fuzz::fuzz_shop();
  return 0;
}

XIAOER_FUZZ_TARGET(fuzz_template)
