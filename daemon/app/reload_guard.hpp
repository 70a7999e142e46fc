// The reload guard: before a reload swaps the engine, the daemon's recent
// messages (kept in memory) are answered by the running engine and by the
// new one (tools/answer_diff.hpp); the change is reported, and a change of
// more than reload.max_changed_share of the answers refuses the reload
// unless it is forced. Under kMinMessages recent messages a share says
// little, and the guard lets the reload through.
//
// Thread safety: a pure function; runs on the reload thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "daemon/engine/engine.hpp"
#include "daemon/traffic/recent_messages.hpp"

namespace xiaoer::app {

struct ReloadImpact {
  std::size_t messages = 0, changed = 0;
  std::string summary;  // as `xiaoerd diff` prints it
  bool refused = false;
  std::string why;  // when refused
};

constexpr std::size_t kMinMessages = 20;

ReloadImpact weigh_reload(const engine::Engine& running, const engine::Engine& next,
                          const std::vector<traffic::RecentMessage>& recent, double max_changed_share, bool force);

}  // namespace xiaoer::app
