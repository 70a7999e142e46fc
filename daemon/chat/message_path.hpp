// The per-message path, decided: from a snapshot of the chat to an effect.
//
// resent id → the same answer again · over the rate → rate_limited ·
// the chat has a ticket → the line joins it (hold) · else the engine
// answers (reply) or hands off (a ticket opens with the chat's recent lines,
// and the answer says where the buyer stands in line).
//
// Thread safety: a pure function; call from any thread.
#pragma once

#include <cstdint>

#include "daemon/chat/chat_options.hpp"
#include "daemon/chat/effect.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/proto/frames.hpp"

namespace xiaoer::chat {

// What a decision needs besides the snapshot and the message.
struct MessageInputs {
  const engine::Engine& bot;  // the engine in service
  const ChatOptions& options;
  std::int64_t now_ms = 0;
  int minute_of_day = 0;  // local time, for business hours
  const catalogue::LiveStock* live = nullptr;  // the ERP's stock updates (may be null)
};

// The snapshot is taken by value: the chat's state moves into the effect.
Effect decide_message(Snapshot snapshot, const proto::InboundMessage& message, const MessageInputs& in);

}  // namespace xiaoer::chat
