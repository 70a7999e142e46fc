// `xiaoerd try TEXT [TEXT…]`: what the bot would do, and why. Several texts
// are successive messages of one chat (the size dialogue, say).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace xiaoer::tools {

int run_try(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace xiaoer::tools
