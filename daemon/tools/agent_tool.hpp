// `xiaoerd agent add|list|remove|reset NAME`: the console's agent accounts
// (docs/console.md). Each change rewrites the agents file atomically; add
// and reset print the new secret once (only its hash is kept); a running
// daemon picks the file up on reload.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace xiaoer::tools {

// `args` after "agent", without --config (main resolves the file from it):
//   add NAME [--supervisor] [--capacity N] | list | remove NAME | reset NAME
//   | set NAME [--supervisor|--no-supervisor] [--capacity N]
// Returns the exit status: 0 done, 1 failed, 2 bad usage.
int run_agent(const std::vector<std::string>& args, const std::string& agents_file, std::ostream& out,
              std::ostream& err);

}  // namespace xiaoer::tools
