// How an HTTP request's body is delimited, decided from its headers before
// the body is read (RFC 9112 §6.1, §6.3): what stops request smuggling
// (issue 10, defect 3).
//
// Thread safety: a pure function.
#pragma once

#include <string_view>

namespace xiaoer::net {

enum class Framing {
  kKeep,        // framed unambiguously: the connection may serve the next request
  kCloseAfter,  // answered, then closed: Transfer-Encoding and Content-Length
                // both (the length is ignored), or Transfer-Encoding in HTTP/1.0
  kRefuse,      // 400 and close: a Transfer-Encoding whose last coding is not
                // chunked (or that names chunked twice, or a coding we do not
                // decode before it): its length cannot be known
};

// `transfer_encoding`: the values of every Transfer-Encoding field, joined
// with ","; `has_transfer_encoding`: whether there was any such field;
// `version`: 10 or 11.
Framing request_framing(bool has_transfer_encoding, std::string_view transfer_encoding, bool has_content_length,
                        unsigned version);

}  // namespace xiaoer::net
