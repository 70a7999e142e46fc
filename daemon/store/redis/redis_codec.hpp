// What the Redis store keeps in its keys, as JSON text: a chat's state, a
// ticket (the journal's `open` record: one format for a whole ticket), a
// resolved ticket, a kept push.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/chat/chat_state.hpp"
#include "daemon/queue/resolved_history.hpp"
#include "daemon/queue/ticket.hpp"
#include "daemon/store/store.hpp"

namespace xiaoer::store::redis {

// {"ctx":{…},"answered":[[id, frame]…],"recent":[{from,text,ts,agent}…],
//  "tokens","refilled","seen"}
std::string encode_chat_state(const chat::ChatState& state);
// false when `text` is not one (the chat is then taken as new).
bool decode_chat_state(std::string_view text, chat::ChatState* state);

std::string encode_ticket(const queue::Ticket& ticket);
std::optional<queue::Ticket> decode_ticket(std::string_view text);

// {"at": resolved_ms, "ticket": {…}}
std::string encode_resolved(const queue::Ticket& ticket, std::int64_t resolved_ms);
std::optional<queue::ResolvedTicket> decode_resolved(std::string_view text);

// {"chat","frame","ts"} (the id is the key)
std::string encode_push(const UnackedPush& push);
std::optional<UnackedPush> decode_push(std::string_view push_id, std::string_view text);

// A ticket's place in the Redis store's waiting line (a sorted set, lowest
// first): higher priority first, then older (lower number) first. Exact in
// a double for numbers below 2^40 and priorities within ±4096.
double line_score(int priority, std::uint64_t number);

}  // namespace xiaoer::store::redis
