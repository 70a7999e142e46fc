// AgentPresence: which named agents are connected (their console's
// websockets), whether they set themselves online or away, when they were
// last seen (a connection, a request) and last given a ticket. Kept in this
// daemon's memory (docs/console.md): after a restart every agent counts as
// seen at the start, so the grace period (console.disconnect_grace_s)
// starts again for all.
//
// Daemons sharing a store (store.backend: redis) tell each other what they
// see (here(), at each tick) and hear the others' (elsewhere()): an agent
// connected to another daemon is online here too, never absent, and the
// online/away chosen last on any daemon holds.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/auth/agent_seen.hpp"
#include "daemon/chat/outbound.hpp"

namespace xiaoer::app {

class AgentPresence {
 public:
  // Keeps a reference to `clock`.
  explicit AgentPresence(const chat::Clock& clock);

  void connected(const std::string& agent);
  void disconnected(const std::string& agent);
  void set_away(const std::string& agent, bool away);
  // A request of the agent's (session activity): it is there.
  void active(const std::string& agent);
  // The agent was given a ticket (claim, transfer, assignment).
  void took(const std::string& agent);

  struct State {
    int connections = 0;
    bool away = false;
    std::int64_t away_ms = 0;   // when `away` was chosen here; 0: never
    std::int64_t seen_ms = 0;   // last connected, disconnected or active
    std::int64_t took_ms = 0;   // last given a ticket; 0: not since the start
    bool lapsed = false;        // absent() returned it since it was last seen
    bool connected_elsewhere = false;  // to another daemon, as last heard
    // Connected anywhere; and away as chosen last, here or elsewhere.
    bool connected() const { return connections > 0 || connected_elsewhere; }
    bool online() const { return connected() && !away; }
  };
  // Every agent's state, `away` as chosen last on any daemon.
  std::map<std::string, State> snapshot();

  // What this daemon sees, for the others: its connected agents and those
  // that chose online or away here.
  std::vector<auth::AgentSeen> here();
  // What the other daemons see, as a whole (replaces what was heard before).
  void elsewhere(const std::vector<auth::AgentSeen>& seen);

  // Of `agents`, those with no connection and not seen for `grace_ms`, each
  // returned once per absence (seen again, it may be again).
  std::vector<std::string> absent(const std::vector<std::string>& agents, std::int64_t grace_ms);

 private:
  State& state_of(const std::string& agent);  // mutex_ held

  const chat::Clock& clock_;
  const std::int64_t started_ms_;
  std::mutex mutex_;
  std::map<std::string, State> by_agent_;
  // The others' latest online/away choice by agent (when, and away or not).
  std::map<std::string, std::pair<std::int64_t, bool>> away_elsewhere_;
};

}  // namespace xiaoer::app
