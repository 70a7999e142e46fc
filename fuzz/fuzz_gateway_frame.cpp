// libFuzzer target: gateway and agent frames (decode_gateway_frame, decode_agent_frame,
// decode_agent_request), re-encoded and decoded again.
// The body, and what it checks, is fuzz_gateway_frame() in fuzz/fuzz_targets.hpp.
#include "fuzz/fuzz_targets.hpp"

XIAOER_FUZZ_TARGET(fuzz_gateway_frame)
