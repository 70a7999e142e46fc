#include "daemon/proto/plain_message.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "daemon/common/utf8.hpp"

namespace xiaoer::proto {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A string value, or false (null, or another type: the full decoder says
// which answer that deserves).
bool read_string(element value, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return false;
  out.assign(text);
  return true;
}

bool nested(element value) {
  return value.type() == element_type::ARRAY || value.type() == element_type::OBJECT;
}

// meta: buyer_nick and item_id, and the other keys as decode_gateway_frame's
// rule 9 keeps them (in key order, as nlohmann's std::map holds them).
bool read_meta(element value, const DecodeLimits& limits, InboundMessage& m) {
  if (value.is_null()) return true;
  simdjson::dom::object meta;
  if (value.get_object().get(meta) != simdjson::SUCCESS) return false;
  std::vector<std::pair<std::string, std::string>> others;
  std::vector<std::string_view> keys;
  for (const auto field : meta) {
    keys.push_back(field.key);
    if (field.value.is_null()) continue;
    if (field.key == "buyer_nick") {
      if (!read_string(field.value, m.buyer_nick)) return false;
    } else if (field.key == "item_id") {
      if (!read_string(field.value, m.item_id)) return false;
    } else {
      std::string text;
      if (!read_string(field.value, text)) return false;  // kept as its JSON text: nlohmann's to write
      others.emplace_back(std::string(field.key), std::move(text));
    }
  }
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) return false;  // the last one counts there
  std::sort(others.begin(), others.end());
  for (auto& [key, text] : others) {
    if (!keep_meta(m, std::move(key), std::move(text), limits)) break;
  }
  return true;
}

bool read_ts(element value, std::int64_t& ts) {
  if (value.is_null()) return true;
  if (value.type() != element_type::INT64 && value.type() != element_type::UINT64) return false;
  std::int64_t ms = 0;
  if (value.get_int64().get(ms) != simdjson::SUCCESS || ms < 0) return false;  // past int64 too
  ts = ms;
  return true;
}

bool is_message_type(element value) {
  std::string_view type;
  return value.get_string().get(type) == simdjson::SUCCESS && type == "message";
}

bool identifier(element value, std::size_t max_bytes, std::string& out) {
  return read_string(value, out) && !out.empty() && out.size() <= max_bytes;
}

}  // namespace

std::optional<InboundMessage> decode_plain_message(std::string_view frame, const DecodeLimits& limits) {
  // The full decoder's first check, with its own definition of valid.
  if (!common::is_valid_utf8(frame)) return std::nullopt;
  thread_local simdjson::dom::parser parser;  // keeps its buffers between frames
  element root;
  if (parser.parse(frame.data(), frame.size()).get(root) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;

  InboundMessage m;
  enum Key : unsigned { kType = 1, kId = 2, kChat = 4, kText = 8, kTs = 16, kChannel = 32, kMeta = 64 };
  unsigned seen = 0;
  const auto first = [&seen](Key key) {
    if ((seen & key) != 0) return false;  // given twice: nlohmann keeps the last
    seen |= key;
    return true;
  };
  for (const auto field : object) {
    const std::string_view key = field.key;
    const element value = field.value;
    bool ok = true;
    if (key == "type") {
      ok = first(kType) && is_message_type(value);
    } else if (key == "id") {
      ok = first(kId) && identifier(value, limits.max_id_bytes, m.id);
    } else if (key == "chat") {
      ok = first(kChat) && identifier(value, limits.max_id_bytes, m.chat);
    } else if (key == "text") {
      ok = first(kText) && read_string(value, m.text) && m.text.size() <= limits.max_text_bytes;
    } else if (key == "ts") {
      ok = first(kTs) && read_ts(value, m.ts);
    } else if (key == "channel") {
      ok = first(kChannel) && (value.is_null() || read_string(value, m.channel));
    } else if (key == "meta") {
      ok = first(kMeta) && read_meta(value, limits, m);
    } else {
      ok = !nested(value);  // the nesting limit is the full decoder's to apply
    }
    if (!ok) return std::nullopt;
  }
  if ((seen & (kType | kId | kChat | kText)) != (kType | kId | kChat | kText)) return std::nullopt;
  return m;
}

}  // namespace xiaoer::proto
