// Engine: everything needed to answer a message, loaded and checked as one.
//
// An Engine bundles the normaliser, the compiled intent set, the shop facts
// and every reply template, resolved against each other at load. It is
// immutable: a reload builds a new Engine aside and swaps the pointer, so a
// message is always answered by one consistent set.
//
// respond() is the decision path: normalise → core form → classify → decide
// → render. It
// is a pure function of the engine, the text, the chat's Context and the
// channel: no I/O, no locks, no globals.
//
// Thread safety: immutable; share freely.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/catalogue/catalogue.hpp"
#include "daemon/catalogue/live_stock.hpp"
#include "daemon/common/diagnostic.hpp"
#include "daemon/nlu/classifier.hpp"
#include "daemon/nlu/context.hpp"
#include "daemon/nlu/intent.hpp"
#include "daemon/nlu/intent_set.hpp"
#include "daemon/nlu/normalizer.hpp"
#include "daemon/reply/compliance.hpp"
#include "daemon/reply/mood.hpp"
#include "daemon/reply/reply_template.hpp"
#include "daemon/reply/shop_facts.hpp"

namespace xiaoer::engine {

// Where an engine's parts come from.
struct EngineSources {
  std::string intents_dir = "intents";
  std::string shop_file = "config/shop.yaml";
  std::string catalogue;  // a directory or file of items (docs/catalogue.md); "" = none
  std::string opencc_dictionary = std::string(nlu::Normalizer::kDefaultDictionary);
  std::int64_t max_mem = nlu::IntentSet::Options{}.max_mem;  // RE2 budget of each intent rule
};

// The item a message is about: meta.item_id, and the live stock to apply.
struct ItemQuery {
  std::string_view id;                          // "" when the message names none
  const catalogue::LiveStock* live = nullptr;   // may be null
};

// What the bot does with one message.
struct Outcome {
  enum class Kind { kReply, kHandoff };

  Kind kind = Kind::kReply;
  nlu::HandoffReason reason = nlu::HandoffReason::kIntent;  // for kHandoff
  std::string text;                 // for the buyer (also on a handoff)
  std::vector<std::string> intents;  // chosen intent names, best first
  std::vector<std::string> topics;   // their topics; empty means none
  double confidence = 0;
  // Upset: the mood file's rules matched or a complaint was chosen; the
  // text then has no cheerful cues and starts with an apology.
  reply::Mood mood = reply::Mood::kCalm;
  std::string core;  // the normalised text's core: what the intents were matched on (nlu/core_form.hpp)
  nlu::Classification classification;
  nlu::Context next;  // the chat's context after this message
  // The catalogue's item the message is about; null without a catalogue or
  // for an unknown id. Valid while the engine lives.
  const catalogue::Item* item = nullptr;
  bool asked_for_item = false;  // a question needed an item and none was known
};

class Engine {
 public:
  struct LoadResult {
    std::shared_ptr<const Engine> engine;  // null when diagnostics has errors
    common::Diagnostics diagnostics;       // errors and warnings, in file order
  };

  // Reads the OpenCC dictionary, the intent files, the shop facts and the
  // catalogue (if any).
  static LoadResult load(const EngineSources& sources);

  // From parts already read (tests, and load() itself). `items` null: no
  // catalogue (the shop's facts serve as its one item's).
  static LoadResult build(std::shared_ptr<const nlu::Normalizer> normalizer, nlu::IntentCatalog catalog,
                          reply::ShopFacts shop, const nlu::IntentSet::Options& options,
                          std::shared_ptr<const catalogue::Catalogue> items = nullptr);

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // With a catalogue, a question about the item is answered from `item`'s
  // facts, chart and stock; when none is known, the bot asks which item
  // (fallback `item_asks`; without them, a handoff).
  Outcome respond(std::string_view text, const nlu::Context& context, std::string_view channel,
                  const ItemQuery& item = {}) const;

  // The texts the human queue adds (fallback.yaml): the place in line, the
  // after-hours note, the courtesy notice. "" when the file has none. For
  // an upset buyer they have no cheerful cues, and the notice (said on its
  // own) starts with an apology.
  enum class QueueText { kPosition, kAfterHours, kNotice };
  std::string queue_text(QueueText kind, int position, reply::Mood mood, std::string_view channel,
                         std::uint32_t rotation) const;

  const nlu::Normalizer& normalizer() const { return *normalizer_; }
  const nlu::IntentSet& intent_set() const { return *set_; }
  const reply::ShopFacts& shop() const { return shop_; }
  // Null without a catalogue.
  const catalogue::Catalogue* catalogue() const { return catalogue_.get(); }
  // Why the compliance rules of the bot's replies (third-party platforms,
  // contacts, the shop's banned words) would refuse `text`, or nullopt:
  // what agents send is checked against them too.
  std::optional<std::string> compliance_violation(std::string_view text) const;

 private:
  struct Templates {
    std::vector<reply::ReplyTemplate> replies;
    std::vector<reply::ReplyTemplate> item_replies;  // what only the item can tell: tried first when it is known
    bool needs_item = false;                         // some reply renders only with an item
    std::vector<reply::ReplyTemplate> asks;  // whatever is missing
    std::vector<std::pair<std::string, std::vector<reply::ReplyTemplate>>> slot_asks;  // only that slot missing
    std::vector<reply::ReplyTemplate> handoffs;  // when no reply renders
  };

  Engine() = default;

  // Renders variant (rotation % n) of `variants` into `out`; false if none
  // renders (a slot is missing or no size fits).
  bool render_variant(const std::vector<reply::ReplyTemplate>& variants, std::uint32_t rotation,
                      const common::SlotMap& slots, const reply::CueTexts& cues, std::string& out,
                      const reply::ItemView& item = {}) const;

  // Asks for the `missing` required slots of an intent: the ask of the one
  // slot missing if there is one, else (or if it does not render) `ask`.
  void render_ask(const Templates& templates, const std::vector<std::string_view>& missing, std::uint32_t rotation,
                  const common::SlotMap& slots, const reply::CueTexts& cues, std::string& out,
                  const reply::ItemView& item) const;

  // The replies of the chosen intents (classification.chosen not empty).
  void answer(const nlu::Classification& classification, std::uint32_t rotation, const reply::CueTexts& cues,
              const reply::ItemView& item, Outcome& outcome) const;

  // The last turn asked which item, and this message names one (a link, a
  // card) and asks nothing else: it answers that question.
  void continue_for_item(const nlu::Context& context, Outcome& outcome) const;

  // Renders an intent's reply into `part`: the item's own variants first
  // when the item is known. False when none renders.
  bool render_reply(const Templates& templates, std::uint32_t rotation, const common::SlotMap& slots,
                    const reply::CueTexts& cues, const reply::ItemView& item, std::string& part) const;

  // The tone for an upset buyer: `text` (rendered with the upset cues)
  // tidied where cues were left out, and an apology put first unless it
  // has one.
  void soothe(std::string& text, std::uint32_t rotation, const reply::CueTexts& cues) const;

  std::shared_ptr<const nlu::Normalizer> normalizer_;
  std::shared_ptr<const nlu::IntentSet> set_;
  reply::ShopFacts shop_;
  std::shared_ptr<const catalogue::Catalogue> catalogue_;  // null: none
  std::vector<Templates> templates_;  // per intent of set_
  std::vector<reply::ReplyTemplate> fallback_replies_;
  std::vector<reply::ReplyTemplate> fallback_handoff_;
  std::vector<reply::ReplyTemplate> queue_position_;
  std::vector<reply::ReplyTemplate> after_hours_;
  std::vector<reply::ReplyTemplate> notice_;
  std::vector<reply::ReplyTemplate> apologies_;  // mood file; may be empty
  std::vector<reply::ReplyTemplate> item_asks_;  // which item? (fallback); may be empty
  std::unique_ptr<const reply::Compliance> compliance_;  // the shop's banned words
};

}  // namespace xiaoer::engine
