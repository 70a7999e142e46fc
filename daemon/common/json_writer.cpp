#include "daemon/common/json_writer.hpp"

#include <charconv>
#include <cmath>

#include "daemon/common/utf8.hpp"

namespace xiaoer::common {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  // Bytes that need nothing (printable ASCII, valid UTF-8) are copied a run
  // at a time. The three-byte sequences of most CJK text are checked without
  // decoding: led by E1–EC or EE–EF, any two continuation bytes make a valid
  // code point, neither overlong nor a surrogate. (Testing eight ASCII bytes
  // at a time was tried: the runs between a frame's quotes are too short,
  // and it cost more than it saved.)
  std::size_t run = 0;
  std::size_t pos = 0;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto flush = [&](std::size_t end) { out.append(text.data() + run, end - run); };
  while (pos < text.size()) {
    const unsigned char c = byte(pos);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++pos;
      continue;
    }
    if (c >= 0xE1 && c <= 0xEF && c != 0xED && pos + 2 < text.size() && (byte(pos + 1) & 0xC0) == 0x80 &&
        (byte(pos + 2) & 0xC0) == 0x80) {
      pos += 3;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t start = pos;
      if (decode_utf8(text, pos) != kInvalidCodepoint) continue;
      // One U+FFFD for the bad lead byte and the continuation bytes after it.
      flush(start);
      while (pos < text.size() && (byte(pos) & 0xC0) == 0x80) ++pos;
      out += "\xEF\xBF\xBD";
      run = pos;
      continue;
    }
    flush(pos);
    ++pos;
    run = pos;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escaped, sizeof escaped);
      }
    }
  }
  flush(pos);
  out += '"';
}

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ > 0) {
    char& first = first_at(depth_ - 1);
    if (first == 0) out_ += ',';
    first = 0;
  }
}

void JsonWriter::open(char bracket) {
  separate();
  out_ += bracket;
  if (depth_ >= kInline && static_cast<std::size_t>(depth_ - kInline) >= deeper_.size()) deeper_.push_back(1);
  first_at(depth_) = 1;
  ++depth_;
}

JsonWriter& JsonWriter::begin_object() {
  open('{');
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  open('[');
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  append_json_string(out_, name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  separate();
  append_json_string(out_, text);
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number) {
  separate();
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, number);
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  separate();
  if (!std::isfinite(number)) number = 0;
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, number);
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  return *this;
}

}  // namespace xiaoer::common
