// `xiaoerd check [--config FILE] [--intents DIR] [--shop FILE] [--opencc FILE]`:
// checks the daemon's config file (every key, as `serve` reads it), then
// the intents and shop facts it names (tools/check_tool.hpp). Options name
// a source instead of the config's paths.
//
// With no option at all it checks the config `serve` would use from here:
// config/xiaoerd.yaml (the source tree) if it exists, else the installed
// /etc/xiaoer/xiaoerd.yaml; with neither, the built-in defaults.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace xiaoer::app {

int run_check_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace xiaoer::app
