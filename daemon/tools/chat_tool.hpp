// `xiaoerd chat [URL]`: a terminal chat as a buyer against a running
// daemon. It speaks protocol v1 as a gateway: each line typed is a message
// frame; answers, agent replies and notices are printed as they come.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace xiaoer::tools {

int run_chat(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace xiaoer::tools
