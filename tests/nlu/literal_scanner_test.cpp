#include "daemon/nlu/literal_scanner.hpp"

#include <gtest/gtest.h>

#include <random>

namespace xiaoer::nlu {
namespace {

std::vector<int> scan(const LiteralScanner& scanner, std::string_view text) {
  std::vector<int> found;
  scanner.scan(text, &found);
  return found;
}

TEST(LiteralScanner, FindsOverlappingAndNestedLiterals) {
  const LiteralScanner scanner({"he", "she", "his", "hers"});
  EXPECT_EQ(scan(scanner, "ushers"), (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(scan(scanner, "this"), (std::vector<int>{2}));
  EXPECT_EQ(scan(scanner, "xyz"), std::vector<int>{});
  EXPECT_EQ(scan(scanner, ""), std::vector<int>{});
}

TEST(LiteralScanner, ChineseLiteralsThatShareCharacters) {
  const LiteralScanner scanner({"尺码", "码", "尺码表", "表"});
  EXPECT_EQ(scan(scanner, "有尺码表吗"), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(scan(scanner, "号码"), (std::vector<int>{1}));
  EXPECT_EQ(scan(scanner, "尺寸"), std::vector<int>{});
}

TEST(LiteralScanner, FoldsAsciiLettersOfTheText) {
  const LiteralScanner scanner({"kg", "xl码"});
  EXPECT_EQ(scan(scanner, "60KG"), (std::vector<int>{0}));
  EXPECT_EQ(scan(scanner, "拍XL码"), (std::vector<int>{1}));
}

TEST(LiteralScanner, EqualLiteralsAreAllReportedAndEmptyOnesNever) {
  const LiteralScanner scanner({"退款", "", "退款", "款"});
  EXPECT_EQ(scan(scanner, "退款"), (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(scan(scanner, "abc"), std::vector<int>{});
}

// Against the obvious search, on random literals and texts over a small
// alphabet (so that literals overlap and share prefixes and suffixes).
TEST(LiteralScanner, AgreesWithFindOnRandomTexts) {
  std::mt19937 random(20261129);
  const std::string alphabet = "abcAB码";
  const auto word = [&](int max_length) {
    std::string w;
    const int length = 1 + static_cast<int>(random() % max_length);
    for (int i = 0; i < length; ++i) {
      const char c = alphabet[random() % 5];
      if (c == 'A' || c == 'B') {
        w += "码";  // a three-byte character among the letters
      } else {
        w += c;
      }
    }
    return w;
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> literals;
    const int count = 1 + static_cast<int>(random() % 30);
    for (int i = 0; i < count; ++i) literals.push_back(word(5));
    const LiteralScanner scanner(literals);
    for (int t = 0; t < 20; ++t) {
      const std::string text = word(40);
      std::vector<int> expected;
      for (int i = 0; i < count; ++i) {
        if (text.find(literals[i]) != std::string::npos) expected.push_back(i);
      }
      ASSERT_EQ(scan(scanner, text), expected) << "text " << text;
    }
  }
}

}  // namespace
}  // namespace xiaoer::nlu
