// AdminSocket: the daemon's local admin endpoint (`xiaoerd reload`), a Unix
// stream socket at a path in the state directory, mode 0600: whoever may
// open it is the daemon's own user, so there is no token and no TLS.
//
// A client writes one request line (at most 4 KiB, ending in '\n'); the
// handler answers with one line, written back before the connection closes.
// A client silent for 10 s is dropped. The handler's answer may take long (a
// reload compiles the intents): the connection just waits for it, holding
// no I/O thread.
//
// Thread safety: open(), start() and stop() from the owner's thread;
// connections run on strands of their own.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <functional>
#include <memory>
#include <string>

namespace xiaoer::net {

class AdminHandler {
 public:
  using Reply = std::function<void(std::string line)>;
  virtual ~AdminHandler() = default;
  // Called on an I/O thread: must return at once. `reply` may be called from
  // any thread, once, with the answer (without its '\n').
  virtual void on_admin_request(std::string request, Reply reply) = 0;
};

class AdminSocket : public std::enable_shared_from_this<AdminSocket> {
 public:
  // Keeps references to both; they must outlive every connection.
  AdminSocket(boost::asio::io_context& ioc, AdminHandler& handler);

  // Binds `path` (replacing a socket left by a daemon that is gone; refusing
  // one a daemon still answers on), mode 0600, and listens. False with
  // `error` set when it cannot.
  bool open(const std::string& path, std::string* error);
  void start();
  // Stops accepting and removes the socket file.
  void stop();

 private:
  void do_accept();

  boost::asio::io_context& ioc_;
  AdminHandler& handler_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
};

}  // namespace xiaoer::net
