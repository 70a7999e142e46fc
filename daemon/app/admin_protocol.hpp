// The admin socket's protocol (net/admin_socket.hpp): one JSON request line,
// one JSON answer line.
//
//   → {"command":"reload","force":false}
//   ← {"ok":true,"intents":42,"rules":900,"messages":1000,"changed":12,
//      "summary":"1000 messages, 12 changed (1.2 %)\n…"}
//   ← {"ok":false,"refused":false,"errors":["intents/x.yaml:3:5: …"]}
//
// `xiaoerd reload` writes the request and prints the answer; the daemon
// reads the request and writes the answer.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoer::app {

struct AdminRequest {
  std::string command;  // "reload"
  bool force = false;   // reload even past reload.max_changed_share
};

// What a reload did, or why it did not.
struct ReloadReport {
  bool ok = false;
  bool refused = false;             // by the guard (reload.max_changed_share)
  std::vector<std::string> errors;  // file:line:col: … when !ok
  std::size_t intents = 0, rules = 0;  // of the set in service after it
  std::size_t messages = 0, changed = 0;  // the recent messages replayed, and how many answers changed
  std::string summary;  // the change on the recent messages, as `xiaoerd diff` prints it
};

std::string encode(const AdminRequest& request);
// nullopt when `line` is not such a request.
std::optional<AdminRequest> decode_admin_request(std::string_view line);

std::string encode(const ReloadReport& report);
// nullopt when `line` is not such an answer.
std::optional<ReloadReport> decode_reload_report(std::string_view line);

}  // namespace xiaoer::app
