// Intent: one thing a buyer may want, as written in an intent file.
//
// Plain data, produced by intent_loader and compiled by IntentSet. Every
// part keeps the place in the file it came from, so that later stages (the
// RE2 compile, template checks, examples) can name file:line:col.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/diagnostic.hpp"

namespace xiaoer::nlu {

using common::SourceLocation;

enum class Action { kReply, kHandoff, kReplyAndHandoff };
enum class HandoffReason { kIntent, kAskedForHuman, kComplaint, kUnresolved };

std::string_view to_string(Action action);
std::string_view to_string(HandoffReason reason);
bool parse_action(std::string_view text, Action* out);
bool parse_handoff_reason(std::string_view text, HandoffReason* out);

enum class RuleKind { kKeyword, kPattern, kExclude };
std::string_view to_string(RuleKind kind);

// One keyword, pattern or exclusion, as written (with its `{lexicon}`
// references; IntentSet::build expands them). A keyword's text is already
// normalised.
struct Rule {
  RuleKind kind = RuleKind::kPattern;
  std::string text;
  int weight = 0;  // 0 for exclusions
  SourceLocation where;
  int text_column = 0;  // column of the text's first character (after a quote), 0 if unknown
};

enum class SlotKind { kPattern, kHeight, kWeight, kOrderNo };

struct SlotSpec {
  std::string name;
  SlotKind kind = SlotKind::kPattern;
  std::string pattern;  // for kPattern: RE2, group 1 (or the whole match) is the value
  SourceLocation where;
  int text_column = 0;  // as Rule::text_column
};

// A line of text in a file: a reply template or an example.
struct SourceText {
  std::string text;
  SourceLocation where;
};

// What is asked when only `slot` of the required slots is missing
// (`ask: {weight: [...]}`).
struct SlotAsk {
  std::string slot;
  std::vector<SourceText> texts;
};

struct Intent {
  std::string name;   // "shipping.eta"
  std::string topic;  // "shipping"
  std::vector<Rule> rules;
  std::vector<SlotSpec> slots;
  std::vector<std::string> required_slots;
  std::vector<SourceText> asks;     // asked when required slots are missing (`ask:`, or its `any:`)
  std::vector<SlotAsk> slot_asks;   // asked when only that slot is missing
  std::vector<SourceText> replies;  // variants, rotated
  // Said when no reply renders (a body off the size chart) and the chat
  // goes to a human; empty: the fallback's handoff text.
  std::vector<SourceText> handoff_replies;
  std::vector<SourceText> examples;
  std::vector<SourceText> not_examples;
  int threshold = 3;
  int priority = 50;
  Action action = Action::kReply;
  HandoffReason reason = HandoffReason::kIntent;
  bool standalone = false;  // fires only when no other topic does
  SourceLocation where;
};

// What the bot does when no intent fires.
struct Fallback {
  std::vector<SourceText> replies;          // a clarifying question
  std::vector<SourceText> handoff_replies;  // said when handing off
  std::vector<SourceText> queue_replies;    // the place in line; slot {position}
  std::vector<SourceText> after_hours_replies;  // added to a handoff outside business hours
  std::vector<SourceText> notice_replies;   // the courtesy notice while a ticket waits
  std::vector<SourceText> item_asks;        // which item? (a question about an item, none known)
  int handoff_after = 2;                    // unresolved messages in a row
  SourceLocation where;
};

// A named word class (`lexicons:` in an intent file). Each entry is a
// normalised word or a reference `{name}` to another lexicon.
struct Lexicon {
  std::string name;
  std::vector<SourceText> entries;
  SourceLocation where;  // of the name
};

// How an upset buyer is recognised and apologised to (`mood:` file). The
// rules are matched in the same pass as the intents' and their weights add
// up; a message that reaches the threshold is upset.
struct MoodRules {
  std::vector<Rule> upset;
  int threshold = 3;
  std::vector<SourceText> apologies;  // said first to an upset buyer, rotated
  SourceLocation where;               // empty file: no mood file
};

// Everything the intent files say, in load order (files sorted by name).
struct IntentCatalog {
  std::vector<Intent> intents;
  std::vector<Lexicon> lexicons;
  MoodRules mood;
  Fallback fallback;
};

}  // namespace xiaoer::nlu
