// AgentPresence: which named agents are connected (their console's
// websockets) and whether they set themselves online or away. Kept in this
// daemon's memory, like the login sessions (docs/console.md).
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace xiaoer::app {

class AgentPresence {
 public:
  void connected(const std::string& agent);
  void disconnected(const std::string& agent);
  void set_away(const std::string& agent, bool away);

  struct State {
    int connections = 0;
    bool away = false;
  };
  std::map<std::string, State> snapshot();

 private:
  std::mutex mutex_;
  std::map<std::string, State> by_agent_;
};

}  // namespace xiaoer::app
