#include "daemon/chat/traffic_line.hpp"

#include "daemon/common/json_writer.hpp"

namespace xiaoer::chat {

std::string chat_hash(std::string_view chat) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : chat) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  // FNV-1a alone leaves ids that differ in their last character with
  // hashes that differ in a few bits; a finaliser (splitmix64's) spreads them.
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebull;
  hash ^= hash >> 31;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) out[static_cast<std::size_t>(i)] = kHex[hash & 0xF];
  return out;
}

std::string to_json_line(const TrafficLine& line) {
  std::string out;
  out.reserve(128 + line.text.size());
  common::JsonWriter w(out);
  w.begin_object();
  w.key("ts").value(line.ts_ms);
  w.field("chat", chat_hash(line.chat));
  w.field("channel", line.channel);
  w.key("intents").begin_array();
  for (const std::string& intent : line.intents) w.value(intent);
  w.end_array();
  w.field("decision", line.decision);
  w.field("text", line.text);
  w.end_object();
  out += '\n';
  return out;
}

}  // namespace xiaoer::chat
