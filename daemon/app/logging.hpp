// Logging: spdlog to stdout (journald picks it up under systemd), as text
// or as JSON lines. Tokens are never passed to the logger.
#pragma once

#include <string>

#include "daemon/app/config.hpp"

namespace xiaoer::app {

// Sets up the default logger; safe to call again on reload.
void setup_logging(const std::string& level, LogFormat format);

}  // namespace xiaoer::app
