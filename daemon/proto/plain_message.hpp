#pragma once

#include <optional>
#include <string_view>

#include "daemon/proto/codec.hpp"
#include "daemon/proto/frames.hpp"

namespace xiaoer::proto {

// The gateway's everyday frame, read in one pass (simdjson, no DOM of
// nlohmann's): {"type":"message", "id", "chat", "text", "ts", "channel",
// "meta": {key: string, …}} with every rule of decode_gateway_frame met.
// Anything else — an error to answer, another type, a key given twice, a
// nested array or object outside meta, a meta value that is not a string —
// is nullopt, and decode_gateway_frame_in_full decodes it; a message
// returned here is the one it would return.
std::optional<InboundMessage> decode_plain_message(std::string_view frame, const DecodeLimits& limits);

}  // namespace xiaoer::proto
