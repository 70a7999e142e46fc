#include "daemon/reply/compliance.hpp"

#include <algorithm>

namespace xiaoer::reply {
namespace {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : char(c); });
  return out;
}

// Each alternative names what it catches, for the message.
constexpr std::string_view kContactPattern =
    "(微信|威信|薇信|weixin|wechat|\\bvx\\b|\\bwx\\b|v信|加v|\\bqq\\b|扣扣|企鹅号|支付宝账号|"
    "https?://|www\\.|[a-z0-9-]+\\.(?:com|cn|net|org|cc|top)\\b|"
    "[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}|"
    "(?:^|[^0-9])1[3-9][0-9]{9}(?:[^0-9]|$)|"
    "(?:^|[^0-9])0[0-9]{2,3}-?[0-9]{7,8}(?:[^0-9]|$)|400-?[0-9]{3}-?[0-9]{4})";

}  // namespace

Compliance::Compliance(std::vector<std::string> banned_words) {
  for (const std::string& word : banned_words) {
    if (!word.empty()) banned_words_.push_back(ascii_lower(word));
  }
  RE2::Options options;
  options.set_log_errors(false);
  contact_ = std::make_unique<RE2>(std::string(kContactPattern), options);
}

std::string Compliance::pattern_error() const { return contact_->ok() ? std::string() : contact_->error(); }

std::optional<std::string> Compliance::violation(std::string_view text) const {
  // Fails closed: a check that cannot run lets nothing through.
  if (!contact_->ok()) return "the contact pattern does not compile (" + contact_->error() + ")";
  const std::string lower = ascii_lower(text);
  std::string found;
  if (RE2::PartialMatch(lower, *contact_, &found)) {
    return "names a third-party platform or contact ('" + found + "')";
  }
  for (const std::string& word : banned_words_) {
    if (lower.find(word) != std::string::npos) return "contains the banned word '" + word + "'";
  }
  return std::nullopt;
}

}  // namespace xiaoer::reply
