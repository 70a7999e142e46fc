// libFuzzer target: the push acknowledgement frames (hello, ack) and the
// journal's ack record. The body, and what it checks, is fuzz_push_frames()
// in fuzz/fuzz_protocol_targets.hpp.
#include "fuzz/fuzz_targets.hpp"

XIAOER_FUZZ_TARGET(fuzz_push_frames)
