#include "daemon/catalogue/item.hpp"

#include <algorithm>
#include <cstdio>

namespace xiaoer::catalogue {
namespace {

constexpr std::string_view kColourWord = "色";

std::string_view without_colour_word(std::string_view colour) {
  if (colour.size() > kColourWord.size() && colour.ends_with(kColourWord)) colour.remove_suffix(kColourWord.size());
  return colour;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

bool read_date(std::string_view text, int* y, int* m, int* d) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  *y = number(0, 4);
  *m = number(5, 2);
  *d = number(8, 2);
  return *y >= 2000 && *y <= 2100 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31;
}

}  // namespace

const std::string* Item::fact(std::string_view name) const {
  const auto it = facts.find(name);
  return it == facts.end() ? nullptr : &it->second;
}

const Sku* Item::find_sku(std::string_view colour, std::string_view size) const {
  for (const Sku& sku : skus) {
    if (sku.colour == colour && sku.size == size) return &sku;
  }
  return nullptr;
}

const std::string* Item::match_colour(std::string_view asked) const {
  const std::string_view want = without_colour_word(asked);
  if (want.empty()) return nullptr;
  const std::string* found = nullptr;
  for (const std::string& colour : colours) {
    const std::string_view have = without_colour_word(colour);
    if (have == want) return &colour;
    if (have.find(want) != std::string_view::npos) {
      if (found != nullptr) return nullptr;  // 蓝 of 深蓝 and 浅蓝: which one?
      found = &colour;
    }
  }
  return found;
}

const std::string* Item::match_size(std::string_view asked) const {
  for (const std::string& size : sizes) {
    if (size.size() == asked.size() &&
        std::equal(size.begin(), size.end(), asked.begin(), [](char a, char b) {
          const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
          return lower(a) == lower(b);
        })) {
      return &size;
    }
  }
  return nullptr;
}

bool is_iso_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  return read_date(text, &y, &m, &d);
}

std::string spoken_date(std::string_view iso_date) {
  int y = 0, m = 0, d = 0;
  if (!read_date(iso_date, &y, &m, &d)) return std::string(iso_date);
  return std::to_string(m) + "月" + std::to_string(d) + "日";
}

std::optional<std::int64_t> parse_updated_at(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() < 10 || !read_date(text.substr(0, 10), &y, &m, &d)) return std::nullopt;
  int hour = 0, minute = 0, second = 0;
  std::string_view time = text.substr(10);
  if (!time.empty()) {
    if (time.front() != ' ' && time.front() != 'T') return std::nullopt;
    time.remove_prefix(1);
    char tail = 0;
    const std::string copy(time);
    const int read = std::sscanf(copy.c_str(), "%2d:%2d:%2d%c", &hour, &minute, &second, &tail);
    const bool hm = read == 2 && copy.size() == 5;
    const bool hms = read == 3 && copy.size() == 8;
    if ((!hm && !hms) || hour > 23 || minute > 59 || second > 59 || hour < 0 || minute < 0 || second < 0) {
      return std::nullopt;
    }
  }
  constexpr std::int64_t kChinaOffsetSeconds = 8 * 3600;
  const std::int64_t seconds = days_from_civil(y, m, d) * 86400 + hour * 3600 + minute * 60 + second;
  return (seconds - kChinaOffsetSeconds) * 1000;
}

bool make_stock(std::string_view status, std::string_view date, Stock* out, std::string* why) {
  const auto availability = parse_availability(status);
  if (!availability) {
    *why = "status must be in, out or presale (现货, 缺货, 预售), not '" + std::string(status) + "'";
    return false;
  }
  if (!date.empty() && !is_iso_date(date)) {
    *why = "date must be YYYY-MM-DD, not '" + std::string(date) + "'";
    return false;
  }
  if (*availability == Availability::kPreSale && date.empty()) {
    *why = "a pre-sale needs its dispatch date (date: YYYY-MM-DD)";
    return false;
  }
  if (*availability == Availability::kInStock && !date.empty()) {
    *why = "an in-stock SKU has no date (the date is the restock or dispatch date)";
    return false;
  }
  *out = {*availability, std::string(date)};
  return true;
}

std::string_view to_string(Availability availability) {
  switch (availability) {
    case Availability::kInStock: return "in";
    case Availability::kOut: return "out";
    case Availability::kPreSale: return "presale";
  }
  return "in";
}

std::optional<Availability> parse_availability(std::string_view text) {
  if (text == "in" || text == "现货" || text == "有货") return Availability::kInStock;
  if (text == "out" || text == "缺货" || text == "无货") return Availability::kOut;
  if (text == "presale" || text == "预售") return Availability::kPreSale;
  return std::nullopt;
}

}  // namespace xiaoer::catalogue
