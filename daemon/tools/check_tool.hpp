// `xiaoerd check`: compile and lint the intent files and shop facts, run
// every example, report the set's cost. Exit 0 only when all is well.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace xiaoer::tools {

int run_check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace xiaoer::tools
