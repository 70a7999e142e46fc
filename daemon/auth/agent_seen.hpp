// AgentSeen: one agent's presence as one daemon tells the others sharing a
// store (store.backend: redis): connected to it or not, and the last
// online/away the agent chose there (when, by that daemon's clock).
//
// Thread safety: plain data.
#pragma once

#include <cstdint>
#include <string>

namespace xiaoer::auth {

struct AgentSeen {
  std::string agent;
  bool connected = false;
  bool away = false;
  std::int64_t away_ms = 0;  // when `away` was chosen; 0: never
};

}  // namespace xiaoer::auth
