// A small intent set, written for the tests, that exercises every feature:
// keywords, patterns, exclusions, slots, required slots, standalone intents,
// actions and priorities.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace xiaoer::testing {

inline const std::vector<std::pair<std::string, std::string>>& test_intent_files() {
  static const std::vector<std::pair<std::string, std::string>> files = {
      {"greeting.yaml", R"(topic: greeting
intents:
  greeting:
    standalone: true
    patterns: ['^(亲|你好|在吗|在么)[ ?!.,~]*$']
    replies: ['亲，在的{smile}']
    examples: ['在吗', '亲']
)"},
      {"shipping.yaml", R"(topic: shipping
intents:
  shipping.courier:
    keywords: {快递: 1, 顺丰: 2}
    patterns: [{re: '(什么|哪家|哪个)快递', weight: 4}]
    exclude: ['不要快递']
    replies: ['亲，默认发{courier}哦{smile}', '亲，我们发{courier}的{smile}']
    examples: ['发什么快递']
  shipping.eta:
    patterns: [{re: '(几天|多久|什么时候)(能|可以)?(到|收到)', weight: 4}]
    exclude: ['(已经|刚)(到|收到)了']
    slots: {region: '(新疆|西藏)'}
    replies: ['亲，发{region_or_default}一般{delivery_days}天到{smile}']
    examples: ['几天能到']
)"},
      {"size.yaml", R"(topic: size
intents:
  size.recommend:
    keywords: {尺码: 2, 码: 1}
    patterns: [{re: '(穿|选|拿)(什么|多大|哪个)码', weight: 4}, {re: '身高|体重', weight: 3}]
    exclude: ['不是尺码']
    slots: {height: {builtin: height}, weight: {builtin: weight}}
    requires: [height, weight]
    ask: ['亲，方便说下身高体重吗{smile}']
    replies: ['亲，{height}cm {weight}kg 建议拿{size}码哦{smile}']
    examples: ['穿什么码']
)"},
      {"invoice.yaml", R"(topic: invoice
intents:
  invoice.request:
    keywords: {发票: 4}
    exclude: ['不(要|用|需要)(开)?发票']
    replies: ['亲，可以开电子发票的{smile}']
    examples: ['能开发票吗']
    not_examples: ['不要发票']
)"},
      {"complaint.yaml", R"(topic: complaint
defaults: {action: reply_and_handoff, reason: complaint, priority: 90}
intents:
  complaint:
    keywords: {投诉: 4, 差评: 4, 骗子: 4}
    replies: ['亲，非常抱歉{sorry}']
    examples: ['我要投诉']
)"},
      {"human.yaml", R"(topic: human
intents:
  human:
    action: handoff
    reason: asked_for_human
    patterns: [{re: '转人工|人工客服', weight: 5}]
    examples: ['转人工']
)"},
      {"thanks.yaml", R"(topic: thanks
intents:
  thanks:
    keywords: {谢谢: 4}
    replies: ['不客气哦亲{smile}', '亲，应该的{smile}']
    examples: ['谢谢']
)"},
  };
  return files;
}

}  // namespace xiaoer::testing
