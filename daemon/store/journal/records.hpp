// The journal's records: one JSON object a line, `t` naming the change.
//
//   answer   {chat, id, frame, ctx}   a message was answered (frame as sent)
//   resend   {chat, id}               a resent id was answered again (no change)
//   hold     {chat, id, ticket, text, ts}  a buyer's line joined a ticket and was
//                                     answered `hold` (the frame is rebuilt at
//                                     replay: the encoder is deterministic)
//   open     {ticket…}                a ticket was opened (or, in a compacted
//                                     journal, its whole current state);
//                                     channel, buyer_nick, item_id only when
//                                     set (older journals have none)
//   line     {ticket, from, text, ts} a line added to a ticket's transcript
//   claim    {ticket, agent}  release {ticket, agent}  resolve {ticket}
//   agent_reply {ticket, agent, text, ts}   notice {ticket, ts}
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/chat/effect.hpp"
#include "daemon/nlu/context.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::store::records {

// The record of one change of chat `chat`.
std::string of(std::string_view chat, const chat::Change& change);

std::string answer(std::string_view chat, std::string_view id, std::string_view frame, const nlu::Context& context);
std::string resend(std::string_view chat, std::string_view id);
std::string hold(std::string_view chat, std::string_view id, std::string_view ticket, const queue::TranscriptLine& line);
std::string open(const queue::Ticket& ticket);
std::string line(std::string_view ticket, const queue::TranscriptLine& line);
std::string claim(std::string_view ticket, std::string_view agent);
std::string release(std::string_view ticket, std::string_view agent);
std::string agent_reply(std::string_view ticket, std::string_view agent, std::string_view text, std::int64_t ts);
std::string resolve(std::string_view ticket);
std::string notice(std::string_view ticket, std::int64_t ts);

// A record read back. Fields not used by its type stay empty.
struct Record {
  std::string type;
  std::string chat, id, frame, ticket, agent, text, from;
  std::int64_t ts = 0;
  nlu::Context context;
  queue::Ticket full;  // for "open"
};

// Parses a record; nullopt (with `error`) when it is not one.
std::optional<Record> parse(std::string_view payload, std::string* error);

}  // namespace xiaoer::store::records
