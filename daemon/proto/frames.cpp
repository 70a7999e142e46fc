#include "daemon/proto/frames.hpp"

namespace xiaoer::proto {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadJson: return "bad_json";
    case ErrorCode::kBadRequest: return "bad_request";
    case ErrorCode::kBadUtf8: return "bad_utf8";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kForbidden: return "forbidden";
  }
  return "unknown";  // only for a value cast from outside the enum
}

std::string_view to_string(AgentOp op) {
  switch (op) {
    case AgentOp::kList: return "list";
    case AgentOp::kClaim: return "claim";
    case AgentOp::kRelease: return "release";
    case AgentOp::kResolve: return "resolve";
    case AgentOp::kSend: return "send";
    case AgentOp::kTransfer: return "transfer";
    case AgentOp::kNote: return "note";
  }
  return "unknown";  // only for a value cast from outside the enum
}

std::string_view to_string(TicketEventKind kind) {
  switch (kind) {
    case TicketEventKind::kOpened: return "opened";
    case TicketEventKind::kUpdated: return "updated";
    case TicketEventKind::kClaimed: return "claimed";
    case TicketEventKind::kReleased: return "released";
    case TicketEventKind::kResolved: return "resolved";
    case TicketEventKind::kTransferred: return "transferred";
  }
  return "unknown";  // only for a value cast from outside the enum
}

bool hands_to_human(const Answer& answer) {
  return std::holds_alternative<HandoffFrame>(answer) || std::holds_alternative<HoldFrame>(answer);
}

std::optional<ErrorCode> error_code(const Answer& answer) {
  if (const auto* error = std::get_if<ErrorFrame>(&answer)) return error->code;
  return std::nullopt;
}

const std::string& push_id(const Push& push) {
  return std::visit([](const auto& frame) -> const std::string& { return frame.push_id; }, push);
}

void set_push_id(Push& push, std::string id) {
  std::visit([&id](auto& frame) { frame.push_id = std::move(id); }, push);
}

}  // namespace xiaoer::proto
