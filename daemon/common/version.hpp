// The version of this build (CMake's project version, which is also the
// Debian package's): `xiaoerd --version` and xiaoer_build_info in /metrics.
#pragma once

#include <string_view>

namespace xiaoer::common {

std::string_view version();

}  // namespace xiaoer::common
