// libFuzzer target: bytes on an agent API connection, parsed and framed as
// the HTTP session does, each request's body decoded for its route. The
// body, and what it checks, is fuzz_agent_http() in
// fuzz/fuzz_protocol_targets.hpp.
#include "fuzz/fuzz_targets.hpp"

XIAOER_FUZZ_TARGET(fuzz_agent_http)
