// The journal's records: one JSON object a line, `t` naming the change.
//
//   answer   {chat, id, frame, ctx[, w]}  a message was answered (frame as sent);
//                                     w: a compaction's copy of the window
//   resend   {chat, id}               a resent id was answered again (no change)
//   hold     {chat, id, ticket, text, ts}  a buyer's line joined a ticket and was
//                                     answered `hold` (the frame is rebuilt at
//                                     replay: the encoder is deterministic)
//   open     {ticket…}                a ticket was opened (or, in a compacted
//                                     journal, its whole current state);
//                                     channel, buyer_nick, item_id, meta
//                                     ([[key, value]…]) only when set (older
//                                     journals have none)
//   line     {ticket, from, text, ts} a line added to a ticket's transcript
//   claim    {ticket, agent}  release {ticket, agent}  resolve {ticket[, ts]}
//   done     {ticket…, resolved_ts}  a resolved ticket kept for the history
//                                     (written by compaction: like `open`)
//   agent_reply {ticket, agent, text, ts}   notice {ticket, ts}
//   push     {chat, id, frame, ts}    a push committed (id: its push_id), kept
//                                     until an `ack` names it
//   ack      {ids}                    pushes acknowledged (or expired)
//   push_seq {n}                      push ids up to P-n were given (written by
//                                     compaction, so an id is never given twice)
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/chat/effect.hpp"
#include "daemon/nlu/context.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::store::records {

// The record of one change of chat `chat`.
std::string of(std::string_view chat, const chat::Change& change);

// `window_copy`: written by compaction (the answered window), not by the
// commit that answered: {"w":true}, so replay tells the two apart.
std::string answer(std::string_view chat, std::string_view id, std::string_view frame, const nlu::Context& context,
                   bool window_copy = false);
std::string resend(std::string_view chat, std::string_view id);
std::string hold(std::string_view chat, std::string_view id, std::string_view ticket, const queue::TranscriptLine& line);
std::string open(const queue::Ticket& ticket);
std::string line(std::string_view ticket, const queue::TranscriptLine& line);
std::string claim(std::string_view ticket, std::string_view agent);
std::string release(std::string_view ticket, std::string_view agent);
std::string agent_reply(std::string_view ticket, std::string_view agent, std::string_view text, std::int64_t ts);
std::string resolve(std::string_view ticket, std::int64_t ts);
std::string done(const queue::Ticket& ticket, std::int64_t resolved_ms);
std::string notice(std::string_view ticket, std::int64_t ts);
std::string push(std::string_view chat, std::string_view push_id, std::string_view frame, std::int64_t ts);
std::string ack(const std::vector<std::string>& push_ids);
std::string push_seq(std::uint64_t issued);

// A record read back. Fields not used by its type stay empty.
struct Record {
  std::string type;
  std::string chat, id, frame, ticket, agent, text, from;
  std::int64_t ts = 0;
  bool window_copy = false;      // for "answer": {"w":true}
  std::vector<std::string> ids;  // for "ack"
  std::uint64_t n = 0;           // for "push_seq"
  std::int64_t resolved_ts = 0;  // for "done"
  nlu::Context context;
  queue::Ticket full;  // for "open" and "done"
};

// Parses a record; nullopt (with `error`) when it is not one.
std::optional<Record> parse(std::string_view payload, std::string* error);

}  // namespace xiaoer::store::records
