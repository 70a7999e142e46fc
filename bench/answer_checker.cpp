#include "bench/answer_checker.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <functional>

namespace xiaoer::bench {
namespace {

std::uint64_t hash_chat(std::string_view chat) { return std::hash<std::string_view>{}(chat); }

// Reads the top-level string fields `type`, `in_reply_to` and `chat` of one
// frame while nlohmann's SAX parser checks that all of it is valid JSON.
// Nested values are walked but not kept.
class FieldReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  enum class Field { kNone, kType, kInReplyTo, kChat };

  bool is_object = false;
  bool has_type = false, has_in_reply_to = false, has_chat = false;
  std::string type, in_reply_to, chat;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool string(string_t& s) override {
    if (depth_ == 1) {
      switch (field_) {
        case Field::kType: type = std::move(s), has_type = true; break;
        case Field::kInReplyTo: in_reply_to = std::move(s), has_in_reply_to = true; break;
        case Field::kChat: chat = std::move(s), has_chat = true; break;
        case Field::kNone: break;
      }
      field_ = Field::kNone;
      return true;
    }
    return value();
  }
  bool start_object(std::size_t) override {
    if (depth_ == 0) is_object = true;
    clear_field();
    ++depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      field_ = k == "type" ? Field::kType : k == "in_reply_to" ? Field::kInReplyTo : k == "chat" ? Field::kChat : Field::kNone;
    }
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    clear_field();
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  // A top-level field given a non-string value counts as absent (a later
  // duplicate key with a string value still counts).
  void clear_field() {
    if (depth_ != 1) return;
    switch (field_) {
      case Field::kType: has_type = false; break;
      case Field::kInReplyTo: has_in_reply_to = false; break;
      case Field::kChat: has_chat = false; break;
      case Field::kNone: break;
    }
    field_ = Field::kNone;
  }
  bool value() {
    clear_field();
    return true;
  }

  int depth_ = 0;
  Field field_ = Field::kNone;
};

}  // namespace

std::string_view to_string(AnswerType type) {
  switch (type) {
    case AnswerType::kReply: return "reply";
    case AnswerType::kHandoff: return "handoff";
    case AnswerType::kHold: return "hold";
    case AnswerType::kError: return "error";
  }
  return "?";
}

std::string_view to_string(Malformed kind) {
  switch (kind) {
    case Malformed::kBadJson: return "bad_json";
    case Malformed::kNotObject: return "not_object";
    case Malformed::kNoType: return "no_type";
    case Malformed::kUnknownType: return "unknown_type";
    case Malformed::kNoInReplyTo: return "no_in_reply_to";
    case Malformed::kUnknownId: return "unknown_id";
    case Malformed::kDuplicate: return "duplicate";
    case Malformed::kWrongChat: return "wrong_chat";
  }
  return "?";
}

void AnswerCounts::merge(const AnswerCounts& other) {
  sent += other.sent;
  answered += other.answered;
  for (std::size_t i = 0; i < kAnswerTypeCount; ++i) by_type[i] += other.by_type[i];
  pushes += other.pushes;
  malformed += other.malformed;
  for (std::size_t i = 0; i < kMalformedCount; ++i) by_malformed[i] += other.by_malformed[i];
}

AnswerChecker::AnswerChecker(std::string id_prefix) : prefix_(std::move(id_prefix)) {}

std::string AnswerChecker::next_id(std::string_view chat, Clock::time_point origin) {
  const std::uint64_t seq = next_seq_++;
  std::string id;
  id.reserve(prefix_.size() + 20);
  id.append(prefix_);
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), seq).ptr;
  id.append(digits, end);
  outstanding_.emplace(seq, Pending{origin, hash_chat(chat)});
  ++counts_.sent;
  return id;
}

AnswerChecker::Result AnswerChecker::reject(Malformed kind, std::string_view frame) {
  ++counts_.malformed;
  ++counts_.by_malformed[static_cast<std::size_t>(kind)];
  if (first_malformed_.empty()) {
    first_malformed_.append(to_string(kind)).append(": ").append(frame.substr(0, 200));
  }
  Result r;
  r.verdict = Verdict::kMalformed;
  r.malformed = kind;
  return r;
}

AnswerChecker::Result AnswerChecker::on_frame(std::string_view frame, Clock::time_point now) {
  FieldReader reader;
  if (!nlohmann::json::sax_parse(frame.begin(), frame.end(), &reader)) return reject(Malformed::kBadJson, frame);
  if (!reader.is_object) return reject(Malformed::kNotObject, frame);
  if (!reader.has_type) return reject(Malformed::kNoType, frame);

  AnswerType type;
  if (reader.type == "reply") {
    type = AnswerType::kReply;
  } else if (reader.type == "handoff") {
    type = AnswerType::kHandoff;
  } else if (reader.type == "hold") {
    type = AnswerType::kHold;
  } else if (reader.type == "error") {
    type = AnswerType::kError;
  } else if (reader.type == "agent_reply" || reader.type == "notice") {
    ++counts_.pushes;
    Result r;
    r.verdict = Verdict::kPush;
    return r;
  } else {
    return reject(Malformed::kUnknownType, frame);
  }
  if (!reader.has_in_reply_to) return reject(Malformed::kNoInReplyTo, frame);

  // in_reply_to must be prefix + the canonical decimal of a sequence number.
  const std::string_view id = reader.in_reply_to;
  if (id.size() <= prefix_.size() || id.substr(0, prefix_.size()) != prefix_) {
    return reject(Malformed::kUnknownId, frame);
  }
  const std::string_view digits = id.substr(prefix_.size());
  std::uint64_t seq = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || end != digits.data() + digits.size() || (digits.size() > 1 && digits[0] == '0') ||
      seq >= next_seq_) {
    return reject(Malformed::kUnknownId, frame);
  }
  const auto it = outstanding_.find(seq);
  if (it == outstanding_.end()) return reject(Malformed::kDuplicate, frame);
  if (type != AnswerType::kError && (!reader.has_chat || hash_chat(reader.chat) != it->second.chat_hash)) {
    // The id is settled all the same: a second answer to it is a duplicate.
    outstanding_.erase(it);
    return reject(Malformed::kWrongChat, frame);
  }
  Result r;
  r.verdict = Verdict::kAnswer;
  r.type = type;
  r.latency = now - it->second.origin;
  outstanding_.erase(it);
  ++counts_.answered;
  ++counts_.by_type[static_cast<std::size_t>(type)];
  return r;
}

std::vector<std::string> AnswerChecker::outstanding_ids(std::size_t limit) const {
  std::vector<std::string> ids;
  for (const auto& [seq, pending] : outstanding_) {
    if (ids.size() >= limit) break;
    std::string id(prefix_);
    id.append(std::to_string(seq));
    ids.push_back(std::move(id));
  }
  return ids;
}

}  // namespace xiaoer::bench
