// The core of a normalised message: the text intents are matched on.
//
// Buyers wrap what they ask in words and signs that carry no topic: an
// emoticon or emoji, a polite opener (亲， 你好， 客服，), a trailing particle
// or tilde (呀 哈 ～), and in anonymised logs the shopkeeper's name
// ([姓名x]). Patterns anchored at both ends (a bare greeting, a bare size)
// fail on them, so the classifier matches on this core form instead:
//
//  - emoticon tokens (a bracketed word of 1–4 Han characters or of ASCII
//    letters: the normaliser's [微笑], a client's [可爱] or [facepalm]) and
//    emoji are removed wherever they are;
//  - openers at the start (亲, 亲亲, 亲爱的, 你好, 您好, 老板, 掌柜, 掌柜的,
//    店家, 客服, optionally with 呀 or 啊) are removed when a separator
//    (, . ! ~ or a space) and something else follow; [姓名x] needs no
//    separator;
//  - at the end, a run of the particles 啊 呀 哈 哦 噢 喔 啦 哒, of ~ , . and
//    spaces, and [姓名x], is removed;
//
// but never all of the text: a bare 亲 or 哈哈 stays itself. Question
// particles (吗 么 嘛 呢) and ? ! are kept: they change what is asked, and
// the mood reads ?? and !!. The placeholders of anonymised logs other than
// [姓名x] ([数字x], [订单x], [金额x], [地址x] …) stay as tokens: patterns
// spell them `\[数字x\]`, and the order_no slot reads [订单x].
//
// Pure; core_form(core_form(x)) == core_form(x). Costs one scan of the text
// and a look at its ends when it has no emoticon, emoji or bracket.
#pragma once

#include <string>
#include <string_view>

namespace xiaoer::nlu {

// Reduces `text` (a Normalizer's output) to its core, in place: the
// common message only loses a few bytes at its ends, with no copy.
void reduce_to_core(std::string& text);

inline std::string core_form(std::string_view normalized) {
  std::string core(normalized);
  reduce_to_core(core);
  return core;
}

}  // namespace xiaoer::nlu
