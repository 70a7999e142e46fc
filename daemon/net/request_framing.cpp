#include "daemon/net/request_framing.hpp"

#include <cctype>
#include <vector>

namespace xiaoer::net {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_chunked(std::string_view coding) {
  constexpr std::string_view kChunked = "chunked";
  if (coding.size() != kChunked.size()) return false;
  for (std::size_t i = 0; i < coding.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(coding[i])) != kChunked[i]) return false;
  }
  return true;
}

}  // namespace

Framing request_framing(bool has_transfer_encoding, std::string_view transfer_encoding, bool has_content_length,
                        unsigned version) {
  if (!has_transfer_encoding) return Framing::kKeep;
  // The codings, empty list elements skipped (RFC 9110 §5.6.1).
  std::vector<std::string_view> codings;
  while (!transfer_encoding.empty()) {
    const std::size_t comma = transfer_encoding.find(',');
    const std::string_view coding = trim(transfer_encoding.substr(0, comma));
    if (!coding.empty()) codings.push_back(coding);
    if (comma == std::string_view::npos) break;
    transfer_encoding.remove_prefix(comma + 1);
  }
  // Only chunked is decoded here: anything else, before or instead of it,
  // leaves the body's length unknown.
  if (codings.size() != 1 || !is_chunked(codings.front())) return Framing::kRefuse;
  if (has_content_length || version < 11) return Framing::kCloseAfter;
  return Framing::kKeep;
}

}  // namespace xiaoer::net
