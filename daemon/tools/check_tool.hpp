// `xiaoerd check`: compile and lint the intent files and shop facts, run
// every example, report the set's cost. Exit 0 only when all is well.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/engine/engine.hpp"

namespace xiaoer::tools {

// Where the sources come from when no option names them: the built-in
// defaults, or a config file's paths (app/check_command.cpp reads it).
// `from` says which, for the lines that tell where a missing file was
// looked for: "paths.intents in /etc/xiaoer/xiaoerd.yaml".
struct CheckDefaults {
  engine::EngineSources sources;
  std::string from;  // "" = the built-in defaults
};

int run_check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_check(const std::vector<std::string>& args, const CheckDefaults& defaults, std::ostream& out,
              std::ostream& err);

}  // namespace xiaoer::tools
