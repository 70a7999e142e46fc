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
  // none), and the slots gathered for it so far: "165 110" completes it.
  std::string awaiting;
  SlotMap slots;
  // Messages in a row that no intent recognised.
  int unresolved = 0;
  // Replies given so far: rotates reply variants, so that the same intent
  // twice in a row gets two different sentences.
  std::uint32_t replies = 0;

  bool operator==(const Context&) const = default;
};

}  // namespace xiaoer::nlu
