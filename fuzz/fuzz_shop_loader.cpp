// libFuzzer target: load_shop_facts_source on arbitrary YAML.
// The body, and what it checks, is fuzz_shop_loader() in fuzz/fuzz_targets.hpp.
#include "fuzz/fuzz_targets.hpp"

XIAOER_FUZZ_TARGET(fuzz_shop_loader)
