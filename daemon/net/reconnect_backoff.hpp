// ReconnectBackoff: how long client mode (gateway.mode: client) waits before
// dialling the gateway again. Plain data; the defaults of the config options
// gateway.reconnect_min_ms and gateway.reconnect_max_ms.
#pragma once

#include <chrono>

namespace xiaoer::net {

struct ReconnectBackoff {
  std::chrono::milliseconds min{200};    // the first delay, and again after a handshake succeeds
  std::chrono::milliseconds max{10000};  // each failure doubles the delay, up to this
};

}  // namespace xiaoer::net
