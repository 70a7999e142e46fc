// libFuzzer target: load_config_source on arbitrary YAML.
// The body, and what it checks, is fuzz_config_loader() in fuzz/fuzz_targets.hpp.
#include "fuzz/fuzz_targets.hpp"

XIAOER_FUZZ_TARGET(fuzz_config_loader)
