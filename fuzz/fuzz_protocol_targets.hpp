// The fuzz targets of issue 10: the push acknowledgement frames and the
// agent HTTP API's requests. Included by fuzz_targets.hpp (they use its
// detail:: checks); what each checks:
//   fuzz_push_frames  hello and ack frames: decoded ack ids non-empty,
//                     within max_id_bytes, valid UTF-8; re-encoded they
//                     decode to the same frame; the journal's ack record of
//                     the ids parses back to the same ids.
//   fuzz_agent_http   the input as bytes on an agent API connection: parsed
//                     by Beast's request parser (as the HTTP session does),
//                     framed by request_framing (a refused framing stops the
//                     connection: nothing after it is read as a request),
//                     and each request's body decoded for its
//                     /v1/tickets/{id}/{op} route like the dispatcher does.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include "daemon/net/request_framing.hpp"
#include "daemon/store/journal/records.hpp"

namespace xiaoer::fuzz {

inline Finding fuzz_push_frames(std::string_view input) {
  Finding f;
  proto::DecodeLimits tight;
  tight.max_id_bytes = 16;
  for (const proto::DecodeLimits& limits : {proto::DecodeLimits{}, tight}) {
    const proto::GatewayFrame frame = proto::decode_gateway_frame(input, limits);
    if (std::holds_alternative<proto::HelloFrame>(frame) || std::holds_alternative<proto::AckFrame>(frame)) {
      detail::check_push_frame(frame, limits, f);
    }
    const auto* ack = std::get_if<proto::AckFrame>(&frame);
    if (ack == nullptr) continue;
    std::string error;
    const auto record = store::records::parse(store::records::ack(ack->push_ids), &error);
    if (!FUZZ_EXPECT(f, record.has_value(), cat({"the ack record does not parse: ", error}))) continue;
    FUZZ_EXPECT(f, record->type == "ack" && record->ids == ack->push_ids, "the ack record does not keep its ids");
  }
  return f;
}

namespace detail {

// The body of one agent API request, decoded for its route.
inline void check_agent_request(const boost::beast::http::request<boost::beast::http::string_body>& request,
                                Finding& f) {
  const std::string target(request.target());
  const std::string path = target.substr(0, target.find('?'));
  constexpr std::string_view kPrefix = "/v1/tickets/";
  if (path.rfind(kPrefix, 0) != 0) return;
  const std::string rest = path.substr(kPrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string::npos) return;
  const std::string ticket = rest.substr(0, slash);
  const std::string op_name = rest.substr(slash + 1);
  for (const proto::AgentOp op :
       {proto::AgentOp::kClaim, proto::AgentOp::kRelease, proto::AgentOp::kResolve, proto::AgentOp::kSend}) {
    if (op_name != proto::to_string(op)) continue;
    const proto::AgentFrame decoded = proto::decode_agent_request(op, ticket, request.body(), {});
    if (const auto* command = std::get_if<proto::AgentCommand>(&decoded)) {
      check_command(*command, {}, f);
      FUZZ_EXPECT(f, command->op == op && command->ticket == ticket, "an agent request lost its op or ticket");
    } else {
      check_error(std::get<proto::ErrorFrame>(decoded), f);
    }
  }
}

}  // namespace detail

inline Finding fuzz_agent_http(std::string_view input) {
  namespace http = boost::beast::http;
  Finding f;
  // Requests one after another on one connection, as the session reads them.
  for (int served = 0; served < 8 && !input.empty(); ++served) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(64 * 1024);
    parser.eager(false);
    boost::beast::error_code ec;
    std::size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
    if (ec || !parser.is_header_done()) return f;  // 400, or more bytes needed: the connection ends here
    const auto& header = parser.get();
    std::string codings;
    bool has_transfer_encoding = false;
    for (auto [field, end] = header.equal_range(http::field::transfer_encoding); field != end; ++field) {
      has_transfer_encoding = true;
      codings.append(field->value()).push_back(',');
    }
    const net::Framing framing = net::request_framing(
        has_transfer_encoding, codings, header.count(http::field::content_length) > 0, header.version());
    if (framing == net::Framing::kRefuse) return f;  // 400 and close: nothing after it is read
    FUZZ_EXPECT(f, !has_transfer_encoding || parser.chunked(),
                "a request framed by a Transfer-Encoding that is not chunked was accepted");
    parser.eager(true);
    while (!ec && !parser.is_done() && used < input.size()) {
      used += parser.put(boost::asio::buffer(input.data() + used, input.size() - used), ec);
    }
    if (!parser.is_done() && !ec && parser.need_eof()) parser.put_eof(ec);
    if (ec || !parser.is_done()) return f;
    detail::check_agent_request(parser.get(), f);
    if (framing == net::Framing::kCloseAfter || !parser.keep_alive()) return f;
    input.remove_prefix(used);
  }
  return f;
}

}  // namespace xiaoer::fuzz
