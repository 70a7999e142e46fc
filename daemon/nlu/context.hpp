// Context: what the engine remembers of a chat between two messages.
//
// A small value that the caller keeps per chat and passes back with the next
// message; the engine itself stays a pure function.
#pragma once

#include <cstdint>
#include <string>

#include "daemon/nlu/slots.hpp"

namespace xiaoer::nlu {

struct Context {
  // The intent whose required slots the bot asked for last turn ("" if
  // none): "165 110" completes it.
  std::string awaiting;
  // What the buyer told in earlier messages of this chat (height, weight,
  // region…), the latest value of each: a slot given once is not asked
  // for again.
  SlotMap slots;
  // Messages in a row that no intent recognised.
  int unresolved = 0;
  // Replies given so far: rotates reply variants, so that the same intent
  // twice in a row gets two different sentences.
  std::uint32_t replies = 0;

  bool operator==(const Context&) const = default;
};

}  // namespace xiaoer::nlu
