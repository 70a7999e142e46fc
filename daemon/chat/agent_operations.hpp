// The agents' operations on a ticket, decided: from a snapshot of the
// ticket's chat to an effect. Also the courtesy notice, the one change the
// daemon makes to a waiting ticket by itself.
//
// Thread safety: pure functions; call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "daemon/chat/effect.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/proto/frames.hpp"

namespace xiaoer::chat {

// claim, release, send, resolve, transfer or note (not list: that reads,
// it changes nothing) as `agent`. `snapshot` is the ticket's chat, with the
// place the ticket has or would have in line (Store::load_ticket).
// Only the agent holding a ticket sends on it; it or a `supervisor` may
// release, resolve or transfer it (a supervisor also assigns a waiting one);
// any agent may add a note (never sent to the buyer). `capacity`: the most
// chats the agent taking the ticket (claim: `agent`; transfer: `to`) may
// hold, 0 for no limit; refused at it (snapshot.held_by_agent), and the
// effect names the taker so the store checks it again at the commit.
Effect decide_agent(const Snapshot& snapshot, const proto::AgentCommand& command, const std::string& agent,
                    std::int64_t now_ms, bool supervisor = false, int capacity = 0);

// The courtesy notice for the chat's ticket if it is due: no agent has
// answered `wait_ms` after the handoff and none was sent. Written for the
// ticket's channel.
std::optional<Effect> decide_notice(const Snapshot& snapshot, const engine::Engine& bot, std::int64_t now_ms,
                                    std::int64_t wait_ms);

}  // namespace xiaoer::chat
