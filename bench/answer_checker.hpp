// AnswerChecker: what the load generator knows of one connection's
// messages, and its verdict on every frame the daemon sends back.
//
// Protocol v1 (docs/protocol.md section 4) promises exactly one answer —
// reply, handoff, hold or error — per message, carrying the message's id
// as `in_reply_to`; agent_reply and notice frames are pushes, never answers.
// The checker holds that promise to account:
//
//   * next_id() names each message as it is sent (prefix + a sequence
//     number) and remembers it as outstanding, with the time its latency
//     counts from and a hash of its chat;
//   * on_frame() reads an incoming frame with a SAX parser (no DOM, no
//     allocation beyond the three fields it keeps) and returns a verdict:
//       kAnswer     well-formed, answers an outstanding id: the id is
//                   settled and the latency returned;
//       kPush       a well-formed agent_reply or notice: counted, no error;
//       kMalformed  anything else: not JSON, not an object, no or an
//                   unknown `type`, no `in_reply_to`, an `in_reply_to` this
//                   connection never sent (unknown) or already had
//                   answered (duplicate), or a `chat` that is not the
//                   message's;
//   * what is still outstanding at the end went unanswered.
//
// Because ids are prefix + sequence numbers handed out in order, a settled
// id is told apart from one never sent without remembering settled ids:
// memory is proportional to the messages in flight, not to the run.
//
// Thread safety: none; one checker per connection, used on its strand.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace xiaoer::bench {

enum class AnswerType { kReply, kHandoff, kHold, kError };
inline constexpr std::size_t kAnswerTypeCount = 4;
std::string_view to_string(AnswerType type);

enum class Malformed {
  kBadJson,         // not one valid JSON value
  kNotObject,       // valid JSON, but not an object
  kNoType,          // `type` missing or not a string
  kUnknownType,     // `type` is none of the answer and push types
  kNoInReplyTo,     // an answer without a string `in_reply_to`
  kUnknownId,       // `in_reply_to` names no message this connection sent
  kDuplicate,       // `in_reply_to` names a message that was answered already
  kWrongChat,       // reply/handoff/hold whose `chat` is not the message's
};
inline constexpr std::size_t kMalformedCount = 8;
std::string_view to_string(Malformed kind);

struct AnswerCounts {
  std::uint64_t sent = 0;
  std::uint64_t answered = 0;  // good answers (kAnswer verdicts)
  std::array<std::uint64_t, kAnswerTypeCount> by_type{};
  std::uint64_t pushes = 0;  // agent_reply and notice frames
  std::uint64_t malformed = 0;
  std::array<std::uint64_t, kMalformedCount> by_malformed{};

  void merge(const AnswerCounts& other);
};

class AnswerChecker {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Verdict { kAnswer, kPush, kMalformed };
  struct Result {
    Verdict verdict = Verdict::kMalformed;
    AnswerType type = AnswerType::kReply;  // kAnswer only
    Malformed malformed = Malformed::kBadJson;  // kMalformed only
    Clock::duration latency{};             // kAnswer only: now − the message's origin
  };

  // Ids are `id_prefix` followed by a decimal sequence number from 0.
  explicit AnswerChecker(std::string id_prefix);

  // Names the next message to `chat` and records it as outstanding; its
  // latency will count from `origin` (the scheduled send time in open loop).
  std::string next_id(std::string_view chat, Clock::time_point origin);

  // The verdict on one frame received at `now`; updates the counts.
  Result on_frame(std::string_view frame, Clock::time_point now);

  const AnswerCounts& counts() const { return counts_; }
  std::size_t outstanding() const { return outstanding_.size(); }
  // Up to `limit` ids still outstanding (for the report), in no order.
  std::vector<std::string> outstanding_ids(std::size_t limit) const;
  // The first malformed frame seen (cut to 200 bytes), "" if none.
  const std::string& first_malformed() const { return first_malformed_; }

  // Counts `frame` as malformed for a reason found outside on_frame() (a
  // binary frame, say) and returns that verdict.
  Result reject(Malformed kind, std::string_view frame);

 private:
  struct Pending {
    Clock::time_point origin;
    std::uint64_t chat_hash;
  };

  std::string prefix_;
  std::uint64_t next_seq_ = 0;
  std::unordered_map<std::uint64_t, Pending> outstanding_;
  AnswerCounts counts_;
  std::string first_malformed_;
};

}  // namespace xiaoer::bench
