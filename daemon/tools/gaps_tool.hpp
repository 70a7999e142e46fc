// `xiaoerd gaps FILE…`: what buyers asked that the intents did not
// recognise, grouped by the phrases the messages share (gap_groups.hpp),
// biggest groups first.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace xiaoer::tools {

// Files are plain text (a message a line) or JSON lines with "text" (the
// daemon's traffic sample; its "channel" is used when given): see
// traffic_file.hpp. Each line is answered as a fresh chat. Exit status 0, 1 when a file cannot be
// read or the intents do not load, 2 on bad arguments.
int run_gaps(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace xiaoer::tools
