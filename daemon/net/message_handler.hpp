// What the network layer knows of the rest of the daemon: one handler
// interface, called by the sessions. No JSON, RE2 or YAML here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xiaoer::net {

// kAdmin: the shop's own systems (the ERP's stock updates); HTTP only.
enum class Role { kGateway, kAgent, kAdmin };

// Who a connection or request is, from its credentials (a bearer token or
// the console's session cookie), never from what it says of itself.
struct Identity {
  Role role = Role::kGateway;
  std::string agent;        // a named agent's name; for the service account the ?agent= it declares
  bool supervisor = false;  // a named agent with the supervisor role
  bool service = false;     // the shared agent token (scripts)
};

// One websocket connection, as its handler sees it.
class Connection {
 public:
  virtual ~Connection() = default;
  // Queues a text frame. Safe from any thread; frames go out in call order.
  // Past the outbound limit the connection is closed (a client that does
  // not read cannot grow our memory).
  virtual void send(std::string frame) = 0;
  // Whether a frame sent with send_tracked() reached the socket (true) or
  // was dropped, the connection closing or failing first (false). Runs once,
  // on the connection's strand, never under a lock of the connection, and
  // before the handler's on_close for this connection.
  using Written = std::function<void(bool written)>;
  // Queues a frame whose sender paces itself on `written` (it keeps a few
  // in flight): it does not count against the outbound limit, and a frame
  // dropped at a close is reported, not lost.
  virtual void send_tracked(std::string frame, Written written) = 0;
  // Closes after the frames already queued are written.
  virtual void close() = 0;
  virtual std::uint64_t id() const = 0;
  virtual Role role() const = 0;
  // Who opened it (MessageHandler::admit).
  virtual const Identity& identity() const = 0;
};

// A plain request, or an upgrade's, with the headers the handler judges.
struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string target;  // path and query
  std::string body;
  std::string authorization;  // the Authorization header, as sent
  std::string cookie;         // the Cookie header
  std::string origin;         // the Origin header ("" when absent)
  std::string host;           // the Host header
  bool tls = false;           // arrived over TLS
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more headers (Set-Cookie, CSP, …)
};

// The handler's verdict on a websocket upgrade: admitted as `identity`, or
// refused with `status` (401, 403) and a reason for the client.
struct Admission {
  unsigned status = 0;  // 0: admitted
  std::string reason;
  Identity identity;
};

class MessageHandler {
 public:
  virtual ~MessageHandler() = default;

  // Whether an upgrade to the endpoint of role `wanted` may go ahead, and as
  // whom (credentials compared in constant time, Origin checked).
  virtual Admission admit(const HttpRequest& upgrade, Role wanted) = 0;

  virtual void on_open(const std::shared_ptr<Connection>& connection) = 0;
  // A text frame (well-formed UTF-8, within the size limit) and when it was read.
  virtual void on_text(const std::shared_ptr<Connection>& connection, std::string frame,
                       std::chrono::steady_clock::time_point received) = 0;
  virtual void on_close(Connection& connection) = 0;
  // Asked before each read after the first: false holds the connection's
  // reading back until `resume` runs (any thread; once). Backpressure.
  virtual bool may_read(std::function<void()> resume) {
    (void)resume;
    return true;
  }

  // A plain HTTP request (not an upgrade). Called on an I/O thread; returns
  // at once and calls `respond` exactly once, on any thread, when the answer
  // is ready (an agent's change: once committed).
  using Respond = std::function<void(HttpResponse)>;
  virtual void on_http(HttpRequest request, Respond respond) = 0;
};

// Limits the sessions read when they start (reloadable: new connections
// take the new values).
struct SessionLimits {
  std::size_t max_frame_bytes = 64 * 1024;
  std::size_t max_outbound_frames = 1024;
  std::chrono::seconds idle_timeout{300};
  std::chrono::seconds handshake_timeout{10};
  std::size_t max_connections = 10000;
};

}  // namespace xiaoer::net
