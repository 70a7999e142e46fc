// libFuzzer target: the input as a journal file, replayed by Journal::open into a
// ChatService as the daemon does, then closed.
// The body, and what it checks, is fuzz_journal_replay() in fuzz/fuzz_targets.hpp.
#include "fuzz/fuzz_targets.hpp"

// The shipped engine is loaded once, before the first input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)xiaoer::fuzz::shipped_engine();
  return 0;
}

XIAOER_FUZZ_TARGET(fuzz_journal_replay)
