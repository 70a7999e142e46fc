// HTTP request smuggling (issue 10, defect 3; RFC 9112 §6.1, §6.3): a
// Transfer-Encoding that does not end in chunked is a 400 and a close; a
// request with both Transfer-Encoding and Content-Length is closed after
// its answer. Before the fix the bytes after a short Content-Length were
// answered as a second request.
#include "tests/integration/it_support.hpp"

#include <gtest/gtest.h>

namespace xiaoer::it {
namespace {

using namespace std::chrono_literals;

class SmugglingTest : public ItTest {
 protected:
  // Sends `request` and reads every byte until the daemon closes: the
  // answers it gave (their status lines), or a failure if it stays open.
  std::vector<std::string> answers_to(const std::string& request) {
    RawConn peer;
    EXPECT_TRUE(peer.connect(port()));
    EXPECT_EQ(peer.send_all(request), RawConn::Io::kOk);
    std::string got;
    EXPECT_EQ(peer.wait_closed(3000ms, &got), RawConn::Io::kClosed) << "the connection stayed open after:\n"
                                                                      << got;
    std::vector<std::string> statuses;
    for (std::size_t at = got.find("HTTP/1.1 "); at != std::string::npos; at = got.find("HTTP/1.1 ", at + 1)) {
      statuses.push_back(got.substr(at + 9, 3));
    }
    return statuses;
  }
};

constexpr const char* kSmuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

TEST_F(SmugglingTest, TransferEncodingNotEndingInChunkedIsRefusedAndClosed) {
  ASSERT_TRUE(start());
  for (const char* coding : {"xchunked", "identity", "gzip", "chunked, identity", "chunked, chunked"}) {
    const std::string request = std::string("POST /v1/tickets HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ") + coding +
                                "\r\nContent-Length: 3\r\n\r\nabc" + kSmuggled;
    EXPECT_EQ(answers_to(request), std::vector<std::string>{"400"}) << coding;
    // And with no length: the body is not read as a request either.
    const std::string no_length = std::string("POST /v1/tickets HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ") +
                                  coding + "\r\n\r\n" + kSmuggled;
    EXPECT_EQ(answers_to(no_length), std::vector<std::string>{"400"}) << coding << ", no length";
  }
  expect_alive("smuggling");
}

TEST_F(SmugglingTest, ChunkedWithAContentLengthIsClosedAfterItsAnswer) {
  ASSERT_TRUE(start());
  const std::string request =
      std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n") +
      kSmuggled;
  const std::vector<std::string> statuses = answers_to(request);
  EXPECT_LE(statuses.size(), 1u) << "the bytes after the request were answered as a second one";
  // A plain chunked request keeps the connection for the next one.
  RawConn peer;
  ASSERT_TRUE(peer.connect(port()));
  ASSERT_EQ(peer.send_all(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") +
                          kSmuggled),
            RawConn::Io::kOk);
  std::string got;
  peer.read_until("ok\nHTTP/1.1 200", &got, 3000ms);
  EXPECT_NE(got.find("ok\nHTTP/1.1 200"), std::string::npos) << got;
}

}  // namespace
}  // namespace xiaoer::it
