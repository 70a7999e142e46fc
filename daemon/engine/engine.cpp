#include "daemon/engine/engine.hpp"

#include <algorithm>
#include <set>

#include "daemon/common/utf8.hpp"
#include "daemon/nlu/core_form.hpp"
#include "daemon/nlu/intent_loader.hpp"

namespace xiaoer::engine {
namespace {

using nlu::HandoffReason;

// A chosen intent of this topic makes the buyer upset whatever the words.
constexpr std::string_view kComplaintTopic = "complaint";

// Which reason wins when two chosen intents hand off.
int strength(HandoffReason reason) {
  switch (reason) {
    case HandoffReason::kComplaint: return 3;
    case HandoffReason::kAskedForHuman: return 2;
    case HandoffReason::kIntent: return 1;
    case HandoffReason::kUnresolved: return 0;
  }
  return 0;
}

// The place of byte `offset` of a template written at `where` (as a quoted
// scalar: one column for the quote, one per character).
common::SourceLocation place_in(const common::SourceLocation& where, std::string_view source,
                                std::size_t offset) {
  common::SourceLocation at = where;
  std::size_t pos = 0;
  int characters = 0;
  while (pos < offset && pos < source.size()) {
    common::decode_utf8(source, pos);
    ++characters;
  }
  if (at.column > 0) at.column += 1 + characters;
  return at;
}

class TemplateCompiler {
 public:
  TemplateCompiler(const reply::ShopFacts& shop, const catalogue::Catalogue* items, common::Diagnostics& diagnostics)
      : shop_(shop), items_(items), compliance_(shop.banned_words), diagnostics_(diagnostics) {
    if (items_ == nullptr) return;
    for (const auto& [id, item] : items_->items) {
      for (const auto& [name, value] : item.facts) {
        if (!reply::is_item_fact(name)) overridden_.insert(name);
      }
    }
  }

  // Item texts go into replies: the same compliance rules as the replies'.
  void check_items() {
    if (items_ == nullptr) return;
    for (const auto& [id, item] : items_->items) {
      for (const auto& [name, value] : item.facts) {
        if (auto why = compliance_.violation(value)) {
          const auto place = item.fact_places.find(name);
          diagnostics_.push_back({place == item.fact_places.end() ? item.where : place->second,
                                  "item " + id + " fact '" + name + "' " + *why});
        }
      }
    }
  }

  std::vector<reply::ReplyTemplate> compile(const std::vector<nlu::SourceText>& texts,
                                            std::vector<std::string> slots) {
    std::vector<reply::ReplyTemplate> out;
    const reply::ReplyTemplate::Vocabulary vocabulary{&shop_, std::move(slots), items_ != nullptr, &overridden_};
    for (const nlu::SourceText& text : texts) {
      if (auto why = compliance_.violation(text.text)) {
        diagnostics_.push_back({text.where, "reply " + *why + ": '" + text.text + "'"});
        continue;
      }
      reply::ReplyTemplate::Error error;
      auto compiled = reply::ReplyTemplate::compile(text.text, vocabulary, &error);
      if (!compiled) {
        diagnostics_.push_back({place_in(text.where, text.text, error.offset), error.message});
        continue;
      }
      out.push_back(std::move(*compiled));
    }
    return out;
  }

 private:
  const reply::ShopFacts& shop_;
  const catalogue::Catalogue* items_;
  std::set<std::string, std::less<>> overridden_;  // shop facts some item overrides
  reply::Compliance compliance_;
  common::Diagnostics& diagnostics_;
};

// The chat goes to a human; the strongest reason of the chosen intents wins.
void hand_off(Outcome& outcome, HandoffReason reason) {
  if (outcome.kind != Outcome::Kind::kHandoff || strength(reason) > strength(outcome.reason)) {
    outcome.reason = reason;
  }
  outcome.kind = Outcome::Kind::kHandoff;
}

void append_part(std::string& text, const std::string& part) {
  if (part.empty()) return;
  if (!text.empty()) text += '\n';
  text += part;
}

}  // namespace

Engine::LoadResult Engine::load(const EngineSources& sources) {
  LoadResult result;
  std::string error;
  std::shared_ptr<const nlu::Normalizer> normalizer = nlu::Normalizer::from_opencc(sources.opencc_dictionary, &error);
  if (!normalizer) {
    result.diagnostics.push_back({{}, error});
    return result;
  }
  nlu::LoadedCatalog catalog = nlu::load_intent_dir(sources.intents_dir, *normalizer);
  reply::LoadedShopFacts shop = reply::load_shop_facts(sources.shop_file);
  result.diagnostics = std::move(shop.diagnostics);
  result.diagnostics.insert(result.diagnostics.end(), catalog.diagnostics.begin(), catalog.diagnostics.end());
  std::shared_ptr<const catalogue::Catalogue> items;
  if (!sources.catalogue.empty()) {
    catalogue::LoadedCatalogue loaded = catalogue::load_catalogue(sources.catalogue);
    result.diagnostics.insert(result.diagnostics.end(), loaded.diagnostics.begin(), loaded.diagnostics.end());
    items = std::make_shared<const catalogue::Catalogue>(std::move(loaded.catalogue));
  }
  if (common::has_errors(result.diagnostics)) return result;
  LoadResult built = build(std::move(normalizer), std::move(catalog.catalog), std::move(shop.facts),
                           nlu::IntentSet::Options{sources.max_mem}, std::move(items));
  result.engine = std::move(built.engine);
  result.diagnostics.insert(result.diagnostics.end(), built.diagnostics.begin(), built.diagnostics.end());
  return result;
}

Engine::LoadResult Engine::build(std::shared_ptr<const nlu::Normalizer> normalizer, nlu::IntentCatalog catalog,
                                 reply::ShopFacts shop, const nlu::IntentSet::Options& options,
                                 std::shared_ptr<const catalogue::Catalogue> items) {
  LoadResult result;
  std::shared_ptr<Engine> engine(new Engine());
  engine->normalizer_ = std::move(normalizer);
  engine->shop_ = std::move(shop);
  engine->catalogue_ = std::move(items);
  engine->compliance_ = std::make_unique<const reply::Compliance>(engine->shop_.banned_words);
  nlu::IntentSet::BuildResult built = nlu::IntentSet::build(std::move(catalog), options);
  result.diagnostics = std::move(built.diagnostics);
  if (!built.set) return result;
  engine->set_ = std::move(built.set);

  TemplateCompiler compiler(engine->shop_, engine->catalogue_.get(), result.diagnostics);
  compiler.check_items();
  for (const nlu::Intent& intent : engine->set_->intents()) {
    std::vector<std::string> slots;
    for (const nlu::SlotSpec& slot : intent.slots) slots.push_back(slot.name);
    Templates templates;
    // What only an item can tell is kept apart: never tried without one,
    // so the rotation of the other variants is as it was.
    for (reply::ReplyTemplate& reply : compiler.compile(intent.replies, slots)) {
      templates.needs_item |= reply.uses_item();
      (reply.item_only() ? templates.item_replies : templates.replies).push_back(std::move(reply));
    }
    templates.asks = compiler.compile(intent.asks, slots);
    templates.handoffs = compiler.compile(intent.handoff_replies, slots);
    for (const nlu::SlotAsk& ask : intent.slot_asks) {
      templates.slot_asks.emplace_back(ask.slot, compiler.compile(ask.texts, slots));
    }
    engine->templates_.push_back(std::move(templates));
  }
  const nlu::Fallback& fallback = engine->set_->fallback();
  engine->fallback_replies_ = compiler.compile(fallback.replies, {});
  engine->fallback_handoff_ = compiler.compile(fallback.handoff_replies, {});
  engine->queue_position_ = compiler.compile(fallback.queue_replies, {"position"});
  engine->after_hours_ = compiler.compile(fallback.after_hours_replies, {});
  engine->notice_ = compiler.compile(fallback.notice_replies, {});
  engine->apologies_ = compiler.compile(engine->set_->mood().apologies, {});
  engine->item_asks_ = compiler.compile(fallback.item_asks, {});
  if (common::has_errors(result.diagnostics)) return result;
  result.engine = std::move(engine);
  return result;
}

bool Engine::render_variant(const std::vector<reply::ReplyTemplate>& variants, std::uint32_t rotation,
                            const common::SlotMap& slots, const reply::CueTexts& cues, std::string& out,
                            const reply::ItemView& item) const {
  for (std::size_t k = 0; k < variants.size(); ++k) {
    if (variants[(rotation + k) % variants.size()].render(shop_, slots, cues, out, item)) return true;
  }
  return false;
}

bool Engine::render_reply(const Templates& templates, std::uint32_t rotation, const common::SlotMap& slots,
                          const reply::CueTexts& cues, const reply::ItemView& item, std::string& part) const {
  if (item.item != nullptr && render_variant(templates.item_replies, rotation, slots, cues, part, item)) return true;
  return render_variant(templates.replies, rotation, slots, cues, part, item);
}

void Engine::soothe(std::string& text, std::uint32_t rotation, const reply::CueTexts& cues) const {
  reply::tidy_removed_cues(text);
  if (reply::starts_with_apology(text)) return;
  std::string apology;
  if (!render_variant(apologies_, rotation, {}, cues, apology)) return;
  text = reply::with_apology(apology, text);
}

std::string Engine::queue_text(QueueText kind, int position, reply::Mood mood, std::string_view channel,
                               std::uint32_t rotation) const {
  const auto& variants = kind == QueueText::kPosition ? queue_position_ : kind == QueueText::kAfterHours ? after_hours_ : notice_;
  common::SlotMap slots;
  slots.set("position", std::to_string(position));
  const reply::CueTexts& cues = shop_.emoji.for_channel(channel, mood);
  std::string out;
  render_variant(variants, rotation, slots, cues, out);
  if (mood == reply::Mood::kUpset) {
    // The place in line and the after-hours note follow a reply that has
    // apologised already.
    if (kind == QueueText::kNotice && !out.empty()) {
      soothe(out, rotation, cues);
    } else {
      reply::tidy_removed_cues(out);
    }
  }
  return out;
}

Outcome Engine::respond(std::string_view text, const nlu::Context& context, std::string_view channel,
                        const ItemQuery& query) const {
  Outcome outcome;
  if (catalogue_ && !query.id.empty()) outcome.item = catalogue_->find(query.id);
  normalizer_->normalize_into(text, outcome.core);
  nlu::reduce_to_core(outcome.core);
  outcome.classification = nlu::classify(*set_, outcome.core, context);
  continue_for_item(context, outcome);
  const nlu::Classification& classification = outcome.classification;
  const std::vector<nlu::Intent>& intents = set_->intents();
  const bool complaint = std::any_of(classification.chosen.begin(), classification.chosen.end(),
                                     [&](int c) { return intents[c].topic == kComplaintTopic; });
  if (classification.upset || complaint) outcome.mood = reply::Mood::kUpset;
  const reply::CueTexts& cues = shop_.emoji.for_channel(channel, outcome.mood);
  const std::uint32_t rotation = context.replies;
  nlu::Context& next = outcome.next;
  next.replies = context.replies + 1;

  if (classification.chosen.empty()) {
    next.unresolved = context.unresolved + 1;
    const int limit = set_->fallback().handoff_after;
    if (next.unresolved >= limit) {
      hand_off(outcome, HandoffReason::kUnresolved);
      render_variant(fallback_handoff_, rotation, {}, cues, outcome.text);
      next.unresolved = 0;
    } else {
      // Still waiting for what we asked: the question stays open.
      next.awaiting = context.awaiting;
      next.slots = context.slots;
      render_variant(fallback_replies_, rotation, {}, cues, outcome.text);
    }
  } else {
    answer(classification, rotation, cues, reply::ItemView{outcome.item, query.live}, outcome);
  }
  if (outcome.mood == reply::Mood::kUpset) soothe(outcome.text, rotation, cues);
  return outcome;
}

void Engine::continue_for_item(const nlu::Context& context, Outcome& outcome) const {
  nlu::Classification& c = outcome.classification;
  if (outcome.item == nullptr || context.awaiting.empty()) return;
  const bool only_standalone = std::all_of(c.chosen.begin(), c.chosen.end(),
                                           [&](int i) { return set_->intents()[i].standalone; });
  const int awaiting = set_->find(context.awaiting);
  if (!only_standalone || awaiting < 0 || !templates_[awaiting].needs_item) return;
  c.chosen = {awaiting};
  c.slots = context.slots;
  c.from_context = true;
  c.confidence = 1.0;
}

void Engine::render_ask(const Templates& templates, const std::vector<std::string_view>& missing,
                        std::uint32_t rotation, const common::SlotMap& slots, const reply::CueTexts& cues,
                        std::string& out, const reply::ItemView& item) const {
  if (missing.size() == 1 || templates.asks.empty()) {
    for (const auto& [slot, asks] : templates.slot_asks) {
      if (slot == missing.front() && render_variant(asks, rotation, slots, cues, out, item)) return;
    }
  }
  render_variant(templates.asks, rotation, slots, cues, out, item);
}

void Engine::answer(const nlu::Classification& classification, std::uint32_t rotation, const reply::CueTexts& cues,
                    const reply::ItemView& item, Outcome& outcome) const {
  const std::vector<nlu::Intent>& intents = set_->intents();
  nlu::Context& next = outcome.next;
  // What the buyer has told so far stays known: a height given once is not
  // asked for again.
  next.slots = classification.slots;

  outcome.confidence = classification.confidence;
  for (std::size_t k = 0; k < classification.chosen.size(); ++k) {
    const int index = classification.chosen[k];
    const nlu::Intent& intent = intents[index];
    const Templates& templates = templates_[index];
    outcome.intents.push_back(intent.name);
    outcome.topics.push_back(intent.topic);
    std::vector<std::string_view> missing;
    for (const std::string& slot : intent.required_slots) {
      if (!classification.slots.find(slot)) missing.push_back(slot);
    }
    std::string part;
    if (!missing.empty()) {
      render_ask(templates, missing, rotation + k, classification.slots, cues, part, item);
      next.awaiting = intent.name;
    } else {
      const bool rendered = render_reply(templates, rotation + k, classification.slots, cues, item, part);
      if (!rendered && catalogue_ && item.item == nullptr && templates.needs_item && !item_asks_.empty()) {
        // The shop's fact is not this item's: ask which item (once, for
        // every question of the message that needs it).
        if (!outcome.asked_for_item) render_variant(item_asks_, rotation, {}, cues, part);
        outcome.asked_for_item = true;
        if (next.awaiting.empty()) next.awaiting = intent.name;  // the item may come next, alone
      } else if (!rendered) {
        // No reply fits (a body off the size chart, say): a human decides,
        // and the buyer is told why in the intent's words if it has them.
        hand_off(outcome, HandoffReason::kIntent);
        if (!render_variant(templates.handoffs, rotation + k, classification.slots, cues, part)) {
          render_variant(fallback_handoff_, rotation, {}, cues, part);
        }
      }
      if (intent.action != nlu::Action::kReply) hand_off(outcome, intent.reason);
    }
    append_part(outcome.text, part);
  }
}

std::optional<std::string> Engine::compliance_violation(std::string_view text) const {
  return compliance_ ? compliance_->violation(text) : std::nullopt;
}

}  // namespace xiaoer::engine
