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
  // at a time.
  std::size_t run = 0;
  std::size_t pos = 0;
  const auto flush = [&](std::size_t end) { out.append(text.data() + run, end - run); };
  while (pos < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++pos;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t start = pos;
      if (decode_utf8(text, pos) != kInvalidCodepoint) continue;
      // One U+FFFD for the bad lead byte and the continuation bytes after it.
      flush(start);
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
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
