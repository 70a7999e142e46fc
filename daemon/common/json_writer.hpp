// JsonWriter: appends JSON text to a string, for the frames and journal
// records written on every message.
//
// nlohmann/json builds a DOM and escapes through a general serializer; for
// output we know the shape of, appending directly costs a fraction of that
// (docs/benchmarks.md). Strings are escaped per RFC 8259; bytes that are
// not UTF-8 become U+FFFD, so the output is always valid JSON and UTF-8.
// Commas are placed by the writer: call key() then a value, or values in
// an array.
//
// Thread safety: none; one writer per string.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoer::common {

// Appends `text` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(std::uint32_t number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(double number);  // non-finite numbers are written as 0
  JsonWriter& value(bool flag);

  // `name` then `text`; the common case.
  JsonWriter& field(std::string_view name, std::string_view text) { return key(name).value(text); }

 private:
  void separate();
  void open(char bracket);
  // Whether depth `d` (0-based) has no element yet.
  char& first_at(int d) {
    const auto i = static_cast<std::size_t>(d);
    return i < first_.size() ? first_[i] : deeper_[i - first_.size()];
  }

  // Depths kept inline (no allocation on the hot path); deeper ones in deeper_.
  static constexpr int kInline = 16;
  std::string& out_;
  std::array<char, kInline> first_{};  // char, not bool: first_at() returns a reference into either
  std::vector<char> deeper_;
  int depth_ = 0;
  bool after_key_ = false;
};

// {"<key>":"<type>", …what `body(writer)` adds}: the shape of every frame
// and journal record.
template <typename Body>
std::string typed_object(std::string_view key, std::string_view type, Body&& body, std::size_t reserve = 256) {
  std::string out;
  out.reserve(reserve);
  JsonWriter w(out);
  w.begin_object().field(key, type);
  body(w);
  w.end_object();
  return out;
}

}  // namespace xiaoer::common
