#include "daemon/tools/chat_tool.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <istream>
#include <memory>
#include <ostream>
#include <set>
#include <thread>

#include "daemon/net/gateway_client.hpp"
#include "daemon/proto/codec.hpp"

namespace xiaoer::tools {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

constexpr const char* kUsage =
    "usage: xiaoerd chat [URL] [--token TOKEN | --token-file FILE] [--chat ID] [--channel NAME] [--say TEXT]…\n"
    "  URL defaults to ws://127.0.0.1:8080/v1/gateway; the token to $XIAOER_GATEWAY_TOKEN,\n"
    "  else the first line of state/gateway.token. With --say, sends each text, prints the\n"
    "  answers and exits; without, reads lines from the terminal.\n";

// Prints one frame from the daemon in a form a person reads.
void show(const std::string& frame, std::ostream& out) {
  const auto j = nlohmann::json::parse(frame, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    out << frame << "\n";
    return;
  }
  const auto get = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string type = get("type");
  if (type == "reply") {
    out << "小二: " << get("text") << "\n";
  } else if (type == "handoff") {
    out << "小二 → 人工 (" << get("reason") << ", ticket " << get("ticket") << "): " << get("text") << "\n";
  } else if (type == "hold") {
    out << "(已转人工 " << get("ticket") << "，消息已转给客服)\n";
  } else if (type == "agent_reply") {
    out << "客服 " << get("agent") << ": " << get("text") << "\n";
  } else if (type == "notice") {
    out << "小二: " << get("text") << "\n";
  } else if (type == "error") {
    out << "error " << get("code") << ": " << get("message") << "\n";
  } else {
    out << frame << "\n";
  }
  out.flush();
}

class ChatClient {
 public:
  ChatClient(std::ostream& out, std::ostream& err) : ws_(ioc_), out_(out), err_(err) {}

  bool connect(const net::WsUrl& url, const std::string& token) {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    const auto results = resolver.resolve(url.host, url.port, ec);
    if (!ec) beast::get_lowest_layer(ws_).connect(results, ec);
    if (ec) {
      err_ << "cannot connect to " << url.host << ":" << url.port << ": " << ec.message() << "\n";
      return false;
    }
    ws_.set_option(websocket::stream_base::decorator([token](websocket::request_type& req) {
      req.set(beast::http::field::authorization, "Bearer " + token);
    }));
    websocket::response_type response;
    ws_.handshake(response, url.host + ":" + url.port, url.target, ec);
    if (ec) {
      err_ << "handshake refused (" << response.result_int() << "): " << response.body() << ec.message() << "\n";
      return false;
    }
    return true;
  }

  // Sends `message` from any thread.
  void send(proto::InboundMessage message) {
    boost::asio::post(ioc_, [this, frame = proto::encode(message), id = message.id]() mutable {
      waiting_.insert(id);
      outbound_.push_back(std::move(frame));
      if (outbound_.size() == 1) write();
    });
  }

  void close_when_answered() {
    boost::asio::post(ioc_, [this] {
      close_when_answered_ = true;
      maybe_close();
    });
  }

  void run() {
    read();
    ioc_.run();
  }

 private:
  void write() {
    ws_.async_write(boost::asio::buffer(outbound_.front()), [this](beast::error_code ec, std::size_t) {
      if (ec) {
        err_ << "write failed: " << ec.message() << "\n";
        return;
      }
      outbound_.pop_front();
      if (!outbound_.empty()) write();
    });
  }

  void read() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec != websocket::error::closed) err_ << "connection ended: " << ec.message() << "\n";
        return;
      }
      const std::string frame = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      show(frame, out_);
      const auto j = nlohmann::json::parse(frame, nullptr, false);
      if (!j.is_discarded() && j.contains("in_reply_to") && j["in_reply_to"].is_string()) {
        waiting_.erase(j["in_reply_to"].get<std::string>());
      }
      if (!maybe_close()) read();
    });
  }

  bool maybe_close() {
    if (!close_when_answered_ || !waiting_.empty() || closed_) return closed_;
    closed_ = true;
    ws_.async_close(websocket::close_code::normal, [](beast::error_code) {});
    return true;
  }

  boost::asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbound_;
  std::set<std::string> waiting_;
  bool close_when_answered_ = false;
  bool closed_ = false;
  std::ostream& out_;
  std::ostream& err_;
};

std::string default_token(const std::string& file) {
  if (const char* env = std::getenv("XIAOER_GATEWAY_TOKEN"); env != nullptr && *env != '\0') return env;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

int run_chat(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  std::string url_text = "ws://127.0.0.1:8080/v1/gateway";
  std::string token, token_file = "state/gateway.token";
  std::string chat = "cli:" + std::to_string(::getpid());
  std::string channel = "default";
  std::vector<std::string> says;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto value = [&](std::string* target) {
      if (i + 1 >= args.size()) return false;
      *target = args[++i];
      return true;
    };
    bool ok = true;
    if (args[i] == "--token") {
      ok = value(&token);
    } else if (args[i] == "--token-file") {
      ok = value(&token_file);
    } else if (args[i] == "--chat") {
      ok = value(&chat);
    } else if (args[i] == "--channel") {
      ok = value(&channel);
    } else if (args[i] == "--say") {
      std::string text;
      ok = value(&text);
      says.push_back(text);
    } else if (args[i].rfind("--", 0) != 0) {
      url_text = args[i];
    } else {
      ok = false;
    }
    if (!ok) {
      err << kUsage;
      return 2;
    }
  }
  const auto url = net::parse_ws_url(url_text);
  if (!url) {
    err << "not a ws:// URL: " << url_text << "\n" << kUsage;
    return 2;
  }
  if (token.empty()) token = default_token(token_file);
  if (token.empty()) {
    err << "no token: pass --token, set XIAOER_GATEWAY_TOKEN or point --token-file at the daemon's token file\n";
    return 2;
  }
  // Shared with the stdin reader below, which may outlive this call.
  const auto client = std::make_shared<ChatClient>(out, err);
  if (!client->connect(*url, token)) return 1;
  const auto next_id = std::make_shared<std::atomic<int>>(0);
  const auto message = [chat, channel, next_id](std::string text) {
    proto::InboundMessage m;
    m.id = chat + "-" + std::to_string(++*next_id);
    m.chat = chat;
    m.text = std::move(text);
    m.channel = channel;
    return m;
  };
  if (!says.empty()) {
    // One at a time would need round trips; the daemon answers a chat's
    // messages in order anyway.
    for (const std::string& text : says) client->send(message(text));
    client->close_when_answered();
    client->run();
    return 0;
  }
  err << "connected as chat " << chat << "; type a message (Ctrl-D to quit)\n";
  // The reader owns what it touches besides `in` (the client, whose posts
  // after the connection ended are dropped with its io_context, and the
  // message maker): left blocked on a line of stdin when the connection
  // ends, it holds no reference into this frame (issue 10, defect 7).
  const auto finished = std::make_shared<std::atomic<bool>>(false);
  std::thread reader([client, message, finished, &in] {
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) client->send(message(line));
    }
    client->close_when_answered();
    finished->store(true);
  });
  client->run();
  if (finished->load()) {
    reader.join();
  } else {
    reader.detach();  // still reading stdin, which lives as long as the process
  }
  return 0;
}

}  // namespace xiaoer::tools
