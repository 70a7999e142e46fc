// ChatOptions: the chat settings the daemon's config sets (reloadable).
#pragma once

#include <cstdint>

namespace xiaoer::chat {

struct ChatOptions {
  int answered_window = 8;
  int transcript_lines = 50;  // the chat from its start, for the agent (each chat keeps this many)
  std::int64_t expire_after_ms = 3600 * 1000;
  double messages_per_second = 5;
  int burst = 10;
  std::int64_t notice_after_ms = 120 * 1000;
  std::int64_t compact_after_bytes = 64ll << 20;
  // A push no gateway acknowledged is dropped after this (it stays in the
  // ticket's transcript, and is counted).
  std::int64_t push_expire_after_ms = 86400ll * 1000;
  // The reply deadline of a ticket, from the buyer's oldest unanswered
  // message: Pinduoduo's 3 minutes, shorter for a complaint.
  std::int64_t sla_ms = 180 * 1000;
  std::int64_t sla_complaint_ms = 60 * 1000;
};

}  // namespace xiaoer::chat
