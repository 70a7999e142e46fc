// Compliance: what a reply must never say.
//
// Platforms throttle or fine shops whose customer service names a
// third-party platform or contact (WeChat, QQ, outside links, phone numbers);
// advertising law forbids absolute claims, which each shop lists as banned
// words. Every template and shop fact is checked at load.
//
// Thread safety: immutable; share freely.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

namespace xiaoer::reply {

class Compliance {
 public:
  explicit Compliance(std::vector<std::string> banned_words);

  // Why `text` may not be sent, or nullopt if it may.
  std::optional<std::string> violation(std::string_view text) const;
  // Why the contact pattern did not compile ("" when it did); then every
  // text is a violation.
  std::string pattern_error() const;

 private:
  std::vector<std::string> banned_words_;  // lower-cased
  std::unique_ptr<RE2> contact_;           // third-party platforms and contacts
};

}  // namespace xiaoer::reply
