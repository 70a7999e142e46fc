// request_framing: RFC 9112 §6.1/§6.3 decided from the headers (issue 10,
// defect 3).
#include "daemon/net/request_framing.hpp"

#include <gtest/gtest.h>

namespace xiaoer::net {
namespace {

TEST(RequestFraming, NoTransferEncodingKeepsTheConnection) {
  EXPECT_EQ(request_framing(false, "", true, 11), Framing::kKeep);
  EXPECT_EQ(request_framing(false, "", false, 10), Framing::kKeep);
}

TEST(RequestFraming, ChunkedAloneKeepsIt) {
  EXPECT_EQ(request_framing(true, "chunked,", false, 11), Framing::kKeep);
  EXPECT_EQ(request_framing(true, " Chunked ,", false, 11), Framing::kKeep);
}

TEST(RequestFraming, AnythingButChunkedLastIsRefused) {
  for (const char* coding : {"xchunked,", "identity,", "gzip,", "chunked, identity,", "chunked,chunked,", "gzip, chunked,",
                             ",", "chunked;x=1,"}) {
    EXPECT_EQ(request_framing(true, coding, false, 11), Framing::kRefuse) << coding;
    EXPECT_EQ(request_framing(true, coding, true, 11), Framing::kRefuse) << coding;
  }
}

TEST(RequestFraming, ChunkedWithALengthOrInHttp10IsClosedAfter) {
  EXPECT_EQ(request_framing(true, "chunked,", true, 11), Framing::kCloseAfter);
  EXPECT_EQ(request_framing(true, "chunked,", false, 10), Framing::kCloseAfter);
}

}  // namespace
}  // namespace xiaoer::net
