#include "daemon/nlu/slots.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace xiaoer::nlu {
namespace {

constexpr int kMinHeight = 100, kMaxHeight = 230;
// A bare number is a height only in an adult's range: 110 is 斤.
constexpr int kMinBareHeight = 140, kMaxBareHeight = 210;
constexpr int kMinWeight = 25, kMaxWeight = 200;
// A bare weight from 80 up is read as 斤: nobody this size writes kg that
// high in a shop chat, and 斤 below 80 would be a child's weight.
constexpr double kBareJinFrom = 80;

enum class Unit { kNone, kCm, kMetre, kJin, kKg };

struct NumberToken {
  double value = 0;
  Unit unit = Unit::kNone;
  enum class Cue { kNone, kHeight, kWeight } cue = Cue::kNone;  // 身高 / 体重 just before
};

bool starts_with(std::string_view text, std::size_t pos, std::string_view prefix) {
  return text.substr(pos, prefix.size()) == prefix;
}

// Chinese numerals 一…九 and 零 as digits, or -1.
int chinese_digit(std::string_view text, std::size_t pos, std::size_t* length) {
  static constexpr std::array<std::string_view, 10> kDigits = {"零", "一", "二", "三", "四",
                                                               "五", "六", "七", "八", "九"};
  for (int d = 0; d < 10; ++d) {
    if (starts_with(text, pos, kDigits[d])) {
      *length = kDigits[d].size();
      return d;
    }
  }
  return -1;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// 一…九 (and 两) at `pos`, advancing it; 0 if none.
int chinese_one_to_nine(std::string_view text, std::size_t& pos) {
  if (starts_with(text, pos, "两")) {
    pos += std::string_view("两").size();
    return 2;
  }
  std::size_t length = 0;
  const int d = chinese_digit(text, pos, &length);
  if (d <= 0) return 0;
  pos += length;
  return d;
}

bool take(std::string_view text, std::size_t& pos, std::string_view word) {
  if (!starts_with(text, pos, word)) return false;
  pos += word.size();
  return true;
}

// A Chinese numeral from 十 to 九百九十九 at `pos` ("一百三十", "一百二" for
// 120, "一百零五", "九十", "五十五", "两百", "十五"), advancing `pos` past
// it. A lone digit (一, 五) is not read: it is rarely a measure.
std::optional<int> chinese_number(std::string_view text, std::size_t& pos) {
  std::size_t p = pos;
  int value = 0;
  const int lead = chinese_one_to_nine(text, p);
  if (lead > 0 && take(text, p, "百")) {
    value = lead * 100;
    if (take(text, p, "零")) {
      value += chinese_one_to_nine(text, p);
    } else if (const int tens = chinese_one_to_nine(text, p); tens > 0) {
      value += tens * 10;  // 一百二 is 120, and so is 一百二十
      if (take(text, p, "十")) value += chinese_one_to_nine(text, p);
    }
  } else if (take(text, p, "十")) {
    value = (lead > 0 ? lead : 1) * 10 + chinese_one_to_nine(text, p);
  } else {
    return std::nullopt;
  }
  pos = p;
  return value;
}

Unit read_unit(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && text[pos] == ' ') ++pos;
  static constexpr std::array<std::pair<std::string_view, Unit>, 9> kUnits = {{
      {"cm", Unit::kCm}, {"厘米", Unit::kCm}, {"公分", Unit::kCm}, {"公斤", Unit::kKg},
      {"kg", Unit::kKg}, {"千克", Unit::kKg}, {"斤", Unit::kJin}, {"米", Unit::kMetre},
      {"m", Unit::kMetre},
  }};
  for (const auto& [word, unit] : kUnits) {
    if (starts_with(text, pos, word)) {
      pos += word.size();
      return unit;
    }
  }
  return Unit::kNone;
}

NumberToken::Cue cue_before(std::string_view text, std::size_t pos) {
  // Look back over a few bytes (two Chinese characters and a colon or space).
  const std::size_t from = pos >= 9 ? pos - 9 : 0;
  const std::string_view before = text.substr(from, pos - from);
  if (before.find("身高") != std::string_view::npos || before.find("高") != std::string_view::npos) {
    return NumberToken::Cue::kHeight;
  }
  if (before.find("体重") != std::string_view::npos || before.find("重") != std::string_view::npos) {
    return NumberToken::Cue::kWeight;
  }
  return NumberToken::Cue::kNone;
}

std::vector<NumberToken> scan_numbers(std::string_view text) {
  std::vector<NumberToken> tokens;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t length = 0;
    // "一米六五", "一米七": a Chinese-numeral height.
    if (starts_with(text, pos, "一米")) {
      std::size_t p = pos + std::string_view("一米").size();
      int cm = 100;
      const int tens = chinese_digit(text, p, &length);
      if (tens >= 0) {
        cm += tens * 10;
        p += length;
        const int ones = chinese_digit(text, p, &length);
        if (ones >= 0) {
          cm += ones;
          p += length;
        }
        tokens.push_back({static_cast<double>(cm), Unit::kCm, cue_before(text, pos)});
        pos = p;
        continue;
      }
    }
    // "一百三十斤", "体重九十": a Chinese-numeral weight, read only with a
    // unit or a cue (十一 in a date is not a body measure).
    if (std::size_t p = pos; const auto number = chinese_number(text, p)) {
      NumberToken token{static_cast<double>(*number), read_unit(text, p), cue_before(text, pos)};
      if (token.unit != Unit::kNone || token.cue != NumberToken::Cue::kNone) tokens.push_back(token);
      pos = p;
      continue;
    }
    if (!is_digit(text[pos]) || (pos > 0 && (is_digit(text[pos - 1]) || text[pos - 1] == '.'))) {
      ++pos;
      continue;
    }
    const std::size_t start = pos;
    double value = 0;
    while (pos < text.size() && is_digit(text[pos])) value = value * 10 + (text[pos++] - '0');
    if (pos - start > 4) {  // an order or phone number, not a body measure
      while (pos < text.size() && is_digit(text[pos])) ++pos;
      continue;
    }
    if (pos + 1 < text.size() && text[pos] == '.' && is_digit(text[pos + 1])) {
      double scale = 0.1;
      for (++pos; pos < text.size() && is_digit(text[pos]); ++pos, scale /= 10) {
        value += (text[pos] - '0') * scale;
      }
    }
    Unit unit = read_unit(text, pos);
    // "1米65", "1m7": metres followed by the centimetres.
    if (unit == Unit::kMetre && value < 3) {
      double extra = 0;
      int digits = 0;
      while (pos < text.size() && is_digit(text[pos]) && digits < 2) {
        extra = extra * 10 + (text[pos++] - '0');
        ++digits;
      }
      if (digits == 1) extra *= 10;
      value = value * 100 + extra;
      unit = Unit::kCm;
    }
    tokens.push_back({value, unit, cue_before(text, start)});
  }
  return tokens;
}

std::optional<int> as_height(const NumberToken& t, bool bare) {
  double cm = -1;
  if (t.unit == Unit::kCm) {
    cm = t.value;
  } else if (t.unit == Unit::kMetre) {
    cm = t.value * 100;
  } else if (t.unit == Unit::kNone && t.cue == NumberToken::Cue::kHeight) {
    cm = t.value < 3 ? t.value * 100 : t.value;
  } else if (t.unit == Unit::kNone && bare) {
    cm = t.value < 3 ? t.value * 100 : t.value;
    if (cm < kMinBareHeight || cm > kMaxBareHeight) return std::nullopt;
  }
  const int rounded = static_cast<int>(std::lround(cm));
  if (rounded < kMinHeight || rounded > kMaxHeight) return std::nullopt;
  return rounded;
}

std::optional<int> as_weight(const NumberToken& t, bool bare) {
  double kg = -1;
  if (t.unit == Unit::kKg) {
    kg = t.value;
  } else if (t.unit == Unit::kJin) {
    kg = t.value / 2;
  } else if (t.unit == Unit::kNone && (bare || t.cue == NumberToken::Cue::kWeight)) {
    kg = t.value >= kBareJinFrom ? t.value / 2 : t.value;
  }
  const int rounded = static_cast<int>(std::lround(kg));
  if (rounded < kMinWeight || rounded > kMaxWeight) return std::nullopt;
  return rounded;
}

}  // namespace

Body extract_body(std::string_view normalized, bool bare_numbers, const Body& known) {
  const std::vector<NumberToken> tokens = scan_numbers(normalized);
  Body body;
  std::vector<bool> used(tokens.size(), false);
  // Two bare numbers are a height and a weight given again ("165 110"):
  // then what is known already does not steer them.
  const auto bare_count = std::count_if(tokens.begin(), tokens.end(), [](const NumberToken& t) {
    return t.unit == Unit::kNone && t.cue == NumberToken::Cue::kNone;
  });
  const Body steer = bare_count >= 2 ? Body{} : known;
  // Explicit units and cues first, then bare numbers in order.
  for (int pass = 0; pass < 2; ++pass) {
    const bool bare = pass == 1;
    if (bare && !bare_numbers) break;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (used[i]) continue;
      if (!body.height_cm && !(bare && steer.height_cm)) {
        if (auto h = as_height(tokens[i], bare)) {
          body.height_cm = h;
          used[i] = true;
          continue;
        }
      }
      if (!body.weight_kg && !(bare && steer.weight_kg)) {
        if (auto w = as_weight(tokens[i], bare)) {
          body.weight_kg = w;
          used[i] = true;
        }
      }
    }
  }
  return body;
}

std::optional<std::string> extract_order_no(std::string_view normalized) {
  static constexpr std::string_view kToken = "[订单x]";
  if (const auto at = normalized.find(kToken); at != std::string_view::npos) {
    return std::string(kToken);
  }
  std::size_t run = 0;
  for (std::size_t i = 0; i <= normalized.size(); ++i) {
    if (i < normalized.size() && is_digit(normalized[i])) {
      ++run;
      continue;
    }
    if (run >= 10) return std::string(normalized.substr(i - run, run));
    run = 0;
  }
  return std::nullopt;
}

}  // namespace xiaoer::nlu
