// App: `xiaoerd serve`, start-up to shutdown in a straight line.
//
// Start-up: load config → logging → tokens → intents and shop facts (fail
// fast) → replay the journal → bind → threads → signals → READY=1.
// SIGHUP, or `xiaoerd reload` over the admin socket (which gets the result
// back), reloads config, tokens, intents and shop facts on a worker thread
// and swaps them in only if all of them load, the config changes no
// restart-only option, and the new set changes no more than
// reload.max_changed_share of the recent answers unless forced (else the old
// set stays and the reason is logged and answered); the config table says
// what applies each reloadable option. Answered messages reach the recent
// messages and, when on, the traffic sample (daemon/traffic).
// SIGTERM/SIGINT drain: stop accepting, let the journal deliver every answer
// in flight, close the connections, exit 0.
//
// Thread safety: run() is called once, from main().
#pragma once

#include <string>

namespace xiaoer::app {

// Runs the daemon with the config at `config_path`; returns the exit code.
int serve(const std::string& config_path);

}  // namespace xiaoer::app
