// SlotMap: slot name → value, as found in a buyer's text.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xiaoer::common {

// In the order found. Small (a handful of slots), so a vector.
class SlotMap {
 public:
  // The value of `name`, or null.
  const std::string* find(std::string_view name) const;
  // Sets `name` (replacing an earlier value).
  void set(std::string_view name, std::string value);
  // Copies every slot of `other` over this one's.
  void merge(const SlotMap& other);
  bool empty() const { return entries_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  bool operator==(const SlotMap&) const = default;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

}  // namespace xiaoer::common
