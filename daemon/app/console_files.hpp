// ConsoleFiles: the agents' console page, static files served at /console/
// from console.dir (docs/console.md). Only plain names directly in that
// directory are served (no subdirectories, no dot files, no traversal), each
// with a strict Content-Security-Policy: the page loads nothing from
// anywhere else and runs no inline script.
//
// Thread safety: stateless; call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "daemon/net/message_handler.hpp"

namespace xiaoer::app {

// The answer to GET `path` (under /console) from the files in `dir`:
// /console → a redirect to /console/, /console/ → index.html.
net::HttpResponse serve_console_file(const std::string& dir, std::string_view path);

// The headers every console response carries (CSP and friends).
void add_console_headers(net::HttpResponse& response);

}  // namespace xiaoer::app
