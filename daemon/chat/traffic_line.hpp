// TrafficLine: one buyer message the bot answered, as the tuning loop sees
// it (the traffic sample on disk, the recent messages a reload replays).
//
// On disk it is one JSON object a line, the shape `eval`, `gaps` and `diff`
// read ("text" and "intents" as in a labelled eval file):
//   {"ts":1763800000000,"chat":"9f2c…","channel":"taobao",
//    "intents":["shipping.eta"],"decision":"fallback","text":"…"}
// The chat id is written hashed (chat_hash): lines of one chat can be told
// together, the id itself is not kept.
//
// Thread safety: plain data; the functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoer::chat {

struct TrafficLine {
  std::string text;
  std::int64_t ts_ms = 0;  // when the daemon answered it (wall clock)
  std::string chat;        // the chat id, as the gateway sent it
  std::string channel;
  std::vector<std::string> intents;  // chosen, best first
  std::string decision;              // engine::decision_name()
  bool settled = true;               // engine::settled()
};

// 16 hex digits (FNV-1a, 64 bits, then mixed): stable across runs and builds.
std::string chat_hash(std::string_view chat);

// The line as written to the sample, with a final '\n'.
std::string to_json_line(const TrafficLine& line);

// Where the chat service hands each answered message, once its effect is
// committed. Called on I/O and store threads: it must not block.
class TrafficListener {
 public:
  virtual ~TrafficListener() = default;
  virtual void heard(const TrafficLine& line) = 0;
};

}  // namespace xiaoer::chat
