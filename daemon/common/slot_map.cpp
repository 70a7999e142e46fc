#include "daemon/common/slot_map.hpp"

namespace xiaoer::common {

const std::string* SlotMap::find(std::string_view name) const {
  for (const auto& [key, value] : entries_) {
    if (key == name) return &value;
  }
  return nullptr;
}

void SlotMap::set(std::string_view name, std::string value) {
  for (auto& [key, existing] : entries_) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::string(name), std::move(value));
}

void SlotMap::merge(const SlotMap& other) {
  for (const auto& [key, value] : other.entries_) set(key, value);
}

}  // namespace xiaoer::common
