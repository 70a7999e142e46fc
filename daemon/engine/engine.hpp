// Engine: everything needed to answer a message, loaded and checked as one.
//
// An Engine bundles the normaliser, the compiled intent set, the shop facts
// and every reply template, resolved against each other at load. It is
// immutable: a reload builds a new Engine aside and swaps the pointer, so a
// message is always answered by one consistent set.
//
// respond() is the decision path: normalise → classify → decide → render. It
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

#include "daemon/common/diagnostic.hpp"
#include "daemon/nlu/classifier.hpp"
#include "daemon/nlu/context.hpp"
#include "daemon/nlu/intent.hpp"
#include "daemon/nlu/intent_set.hpp"
#include "daemon/nlu/normalizer.hpp"
#include "daemon/reply/compliance.hpp"
#include "daemon/reply/reply_template.hpp"
#include "daemon/reply/shop_facts.hpp"

namespace xiaoer::engine {

// Where an engine's parts come from.
struct EngineSources {
  std::string intents_dir = "intents";
  std::string shop_file = "config/shop.yaml";
  std::string opencc_dictionary = std::string(nlu::Normalizer::kDefaultDictionary);
  std::int64_t max_mem = nlu::IntentSet::Options{}.max_mem;  // RE2 budget of the intent set
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
  std::string normalized;
  nlu::Classification classification;
  nlu::Context next;  // the chat's context after this message
};

class Engine {
 public:
  struct LoadResult {
    std::shared_ptr<const Engine> engine;  // null when diagnostics has errors
    common::Diagnostics diagnostics;       // errors and warnings, in file order
  };

  // Reads the OpenCC dictionary, the intent files and the shop facts.
  static LoadResult load(const EngineSources& sources);

  // From parts already read (tests, and load() itself).
  static LoadResult build(std::shared_ptr<const nlu::Normalizer> normalizer, nlu::IntentCatalog catalog,
                          reply::ShopFacts shop, const nlu::IntentSet::Options& options);

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Outcome respond(std::string_view text, const nlu::Context& context, std::string_view channel) const;

  // The texts the human queue adds (fallback.yaml): the place in line, the
  // after-hours note, the courtesy notice. "" when the file has none.
  enum class QueueText { kPosition, kAfterHours, kNotice };
  std::string queue_text(QueueText kind, int position, std::string_view channel, std::uint32_t rotation) const;

  const nlu::Normalizer& normalizer() const { return *normalizer_; }
  const nlu::IntentSet& intent_set() const { return *set_; }
  const reply::ShopFacts& shop() const { return shop_; }

 private:
  struct Templates {
    std::vector<reply::ReplyTemplate> replies;
    std::vector<reply::ReplyTemplate> asks;
    std::vector<reply::ReplyTemplate> handoffs;  // when no reply renders
  };

  Engine() = default;

  // Renders variant (rotation % n) of `variants` into `out`; false if none
  // renders (a slot is missing or no size fits).
  bool render_variant(const std::vector<reply::ReplyTemplate>& variants, std::uint32_t rotation,
                      const common::SlotMap& slots, const reply::CueTexts& cues, std::string& out) const;

  std::shared_ptr<const nlu::Normalizer> normalizer_;
  std::shared_ptr<const nlu::IntentSet> set_;
  reply::ShopFacts shop_;
  std::vector<Templates> templates_;  // per intent of set_
  std::vector<reply::ReplyTemplate> fallback_replies_;
  std::vector<reply::ReplyTemplate> fallback_handoff_;
  std::vector<reply::ReplyTemplate> queue_position_;
  std::vector<reply::ReplyTemplate> after_hours_;
  std::vector<reply::ReplyTemplate> notice_;
};

}  // namespace xiaoer::engine
