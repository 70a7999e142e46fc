// ChatState: what the daemon keeps of one chat between its messages. Plain
// data; the store holds it, a decision reads a copy and says what it becomes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/nlu/context.hpp"
#include "daemon/proto/frames.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::chat {

// An id answered, and its answer: immutable and shared, since a chat's
// window of them is copied with every snapshot of the chat.
struct AnsweredId {
  std::string id;
  proto::Answer answer;
};
using AnsweredWindow = std::vector<std::shared_ptr<const AnsweredId>>;

inline std::shared_ptr<const AnsweredId> make_answered(std::string id, proto::Answer answer) {
  return std::make_shared<const AnsweredId>(AnsweredId{std::move(id), std::move(answer)});
}

struct ChatState {
  nlu::Context context;  // the engine's memory of the chat
  // The answers to the last ids, oldest first: a resent id gets the same answer.
  AnsweredWindow answered;
  queue::Transcript recent;  // last lines, for a new ticket (shared: a copy is cheap)
  double tokens = -1;                         // rate bucket; -1 until first use
  std::int64_t refilled_ms = 0;
  std::int64_t last_seen_ms = 0;
};

// Appends `item` to a window, dropping the oldest beyond `limit`.
template <typename T>
void push_bounded(std::vector<T>& window, T item, std::size_t limit) {
  window.push_back(std::move(item));
  if (window.size() > limit) window.erase(window.begin(), window.end() - static_cast<std::ptrdiff_t>(limit));
}
inline void push_bounded(queue::Transcript& window, queue::TranscriptLine line, std::size_t limit) {
  window.push_back(std::move(line), limit);
}

}  // namespace xiaoer::chat
