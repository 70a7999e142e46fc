// `xiaoerd reload [--config FILE] [--force] [--timeout S]`: asks the running
// daemon to reload over its admin socket (admin.socket in FILE) and waits
// for the result (what systemd's ExecReload= runs, so that a failed reload
// fails `systemctl reload`).
//
// Prints, on success, the size of the set now in service and what the
// change does to the daemon's recent messages; on failure, the errors
// (file:line:col) or the guard's refusal. The config file itself is checked
// first: a broken one is reported without asking the daemon. The daemon
// reloads the config it was started with; FILE says where its socket is
// (give the same file).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace xiaoer::app {

// 0 reloaded; 1 not reloaded (errors, refused, no daemon); 2 bad arguments.
int run_reload(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace xiaoer::app
