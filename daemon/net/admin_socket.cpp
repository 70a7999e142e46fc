#include "daemon/net/admin_socket.hpp"

#include <sys/stat.h>
#include <sys/un.h>

#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <spdlog/spdlog.h>

#include <filesystem>

namespace xiaoer::net {
namespace {

namespace asio = boost::asio;
using stream_protocol = asio::local::stream_protocol;

constexpr std::size_t kMaxRequestBytes = 4096;
constexpr auto kRequestTimeout = std::chrono::seconds(10);

// One client: read a line, ask the handler, write its answer, close.
class AdminConnection : public std::enable_shared_from_this<AdminConnection> {
 public:
  AdminConnection(stream_protocol::socket socket, AdminHandler& handler)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), buffer_(kMaxRequestBytes), handler_(handler) {}

  void start() {
    timer_.expires_after(kRequestTimeout);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->socket_.close();
    });
    asio::async_read_until(socket_, buffer_, '\n',
                           [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                             self->on_read(ec, n);
                           });
  }

 private:
  void on_read(const boost::system::error_code& ec, std::size_t n) {
    timer_.cancel();
    if (ec) return;  // closed, timed out, or over the size: nothing to answer
    std::string request(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + n - 1);
    handler_.on_admin_request(std::move(request), [self = shared_from_this()](std::string line) {
      asio::post(self->socket_.get_executor(), [self, line = std::move(line)]() mutable {
        self->answer_ = std::move(line) + "\n";
        asio::async_write(self->socket_, asio::buffer(self->answer_),
                          [self](const boost::system::error_code&, std::size_t) { self->socket_.close(); });
      });
    });
  }

  stream_protocol::socket socket_;
  asio::steady_timer timer_;
  asio::streambuf buffer_;
  std::string answer_;
  AdminHandler& handler_;
};

}  // namespace

AdminSocket::AdminSocket(asio::io_context& ioc, AdminHandler& handler)
    : ioc_(ioc), handler_(handler), acceptor_(asio::make_strand(ioc)) {}

bool AdminSocket::open(const std::string& path, std::string* error) {
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    *error = "admin.socket " + path + ": longer than a Unix socket path may be (" +
             std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes)";
    return false;
  }
  namespace fs = std::filesystem;
  std::error_code fs_error;
  const fs::path where(path);
  if (!where.parent_path().empty()) fs::create_directories(where.parent_path(), fs_error);
  if (fs::is_socket(where, fs_error)) {
    stream_protocol::socket probe(ioc_);
    boost::system::error_code ec;
    probe.connect(stream_protocol::endpoint(path), ec);
    if (!ec) {
      *error = "admin.socket " + path + ": another daemon answers on it";
      return false;
    }
    fs::remove(where, fs_error);  // left by a daemon that is gone
  }
  boost::system::error_code ec;
  acceptor_.open(stream_protocol(), ec);
  if (!ec) acceptor_.bind(stream_protocol::endpoint(path), ec);
  // Only the daemon's user may ask it anything (the state directory is 0700
  // under systemd too).
  if (!ec && ::chmod(path.c_str(), 0600) != 0) ec.assign(errno, boost::system::system_category());
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "admin.socket " + path + ": " + ec.message();
    return false;
  }
  path_ = path;
  return true;
}

void AdminSocket::start() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void AdminSocket::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    std::error_code fs_error;
    if (!self->path_.empty()) std::filesystem::remove(self->path_, fs_error);
  });
}

void AdminSocket::do_accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                                             stream_protocol::socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (!ec) std::make_shared<AdminConnection>(std::move(socket), self->handler_)->start();
    if (ec) spdlog::warn("admin socket: accept: {}", ec.message());
    self->do_accept();
  });
}

}  // namespace xiaoer::net
