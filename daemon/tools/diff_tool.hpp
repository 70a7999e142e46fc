// `xiaoerd diff --before DIR --after DIR FILE…`: what an edit of the intents
// (or of the shop facts) changes on a traffic file, before it goes live
// (answer_diff.hpp says how messages are compared).
//
// Options: --before-shop FILE / --after-shop FILE (default: --shop FILE, else
// shop.yaml in that side's intents dir if there is one, else
// config/shop.yaml), --opencc FILE, --channel NAME (for lines that do not
// name theirs), --examples N (a transition; default 3), --json.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace xiaoer::tools {

// Exit status, like diff(1): 0 when no answer changed, 1 when one did, 2 on
// bad arguments or files that do not load.
int run_diff(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace xiaoer::tools
