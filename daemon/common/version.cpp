#include "daemon/common/version.hpp"

namespace xiaoer::common {

// XIAOER_VERSION is set on this file alone (CMakeLists.txt), so a new
// version recompiles one file.
std::string_view version() { return XIAOER_VERSION; }

}  // namespace xiaoer::common
