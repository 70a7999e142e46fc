#include "daemon/nlu/intent_loader.hpp"

#include <algorithm>
#include <set>

#include "daemon/common/yaml_reader.hpp"
#include "daemon/nlu/lexicon.hpp"

namespace xiaoer::nlu {
namespace {

using common::YamlReader;

constexpr int kMaxWeight = 100;

bool is_identifier(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<SourceText> to_source_texts(std::vector<YamlReader::Located> located) {
  std::vector<SourceText> out;
  out.reserve(located.size());
  for (auto& item : located) out.push_back({std::move(item.text), std::move(item.where)});
  return out;
}

// The settings that `defaults:` gives and an intent may override.
struct Settings {
  int threshold = 3;
  int priority = 50;
  Action action = Action::kReply;
  HandoffReason reason = HandoffReason::kIntent;
  bool standalone = false;
};

class FileLoader {
 public:
  FileLoader(const std::string& file, const Normalizer& normalizer, LoadedCatalog& loaded)
      : reader_(file, loaded.diagnostics), normalizer_(normalizer), loaded_(loaded) {}

  void load(std::string_view text) {
    const std::optional<YAML::Node> root = reader_.parse(text);
    if (!root) return;
    if (root->IsMap() && (*root)["lexicons"]) {
      if (reader_.check_map(*root, "a lexicon file", {"lexicons"})) read_lexicons((*root)["lexicons"]);
      return;
    }
    if (root->IsMap() && (*root)["mood"]) {
      if (reader_.check_map(*root, "a mood file", {"mood"})) read_mood((*root)["mood"]);
      return;
    }
    if (root->IsMap() && (*root)["fallback"]) {
      if (reader_.check_map(*root, "a fallback file", {"fallback"})) read_fallback((*root)["fallback"]);
      return;
    }
    if (!reader_.check_map(*root, "an intent file", {"topic", "defaults", "intents"})) return;
    const YAML::Node topic_node = (*root)["topic"];
    if (!topic_node) {
      reader_.error(*root, "missing field 'topic' (or 'fallback', 'lexicons' or 'mood')");
      return;
    }
    if (!reader_.read_string(topic_node, "topic", &topic_)) return;
    if (!is_identifier(topic_)) {
      reader_.error(topic_node, "topic '" + topic_ + "' must be lower-case letters, digits or _");
      return;
    }
    Settings defaults;
    if (const YAML::Node node = (*root)["defaults"]) read_settings(node, "defaults", defaults);
    const YAML::Node intents = (*root)["intents"];
    if (!intents || !intents.IsMap() || intents.size() == 0) {
      reader_.error(intents ? intents : *root, "'intents' must be a non-empty map of intent name → intent");
      return;
    }
    for (const auto& entry : intents) read_intent(entry.first, entry.second, defaults);
  }

 private:
  void read_lexicons(const YAML::Node& node) {
    if (!node.IsMap() || node.size() == 0) {
      reader_.error(node, "'lexicons' must be a non-empty map of name → list of words");
      return;
    }
    for (const auto& entry : node) {
      Lexicon lexicon;
      lexicon.name = entry.first.Scalar();
      lexicon.where = reader_.at(entry.first);
      if (!is_lexicon_name(lexicon.name)) {
        reader_.error(entry.first, "lexicon name '" + lexicon.name +
                                       "' must be a lower-case letter, then lower-case letters, digits or _");
        continue;
      }
      const auto& known = loaded_.catalog.lexicons;
      const auto same = std::find_if(known.begin(), known.end(), [&](const Lexicon& l) { return l.name == lexicon.name; });
      if (same != known.end()) {
        reader_.error(entry.first, "lexicon '" + lexicon.name + "' is already defined at " + same->where.to_string());
        continue;
      }
      const std::size_t reported = loaded_.diagnostics.size();
      for (auto& item : reader_.read_string_list(entry.second, "lexicon '" + lexicon.name + "'")) {
        // A word is normalised as keywords are; a reference is kept as written.
        std::string word =
            whole_lexicon_reference(item.text).empty() ? normalizer_.normalize(item.text) : std::move(item.text);
        if (word.empty()) {
          loaded_.diagnostics.push_back({item.where, "lexicon word is empty once normalised"});
          continue;
        }
        lexicon.entries.push_back({std::move(word), std::move(item.where)});
      }
      if (lexicon.entries.empty()) {
        if (loaded_.diagnostics.size() == reported) reader_.error(entry.first, "lexicon '" + lexicon.name + "' is empty");
        continue;
      }
      loaded_.catalog.lexicons.push_back(std::move(lexicon));
    }
  }

  void read_settings(const YAML::Node& node, std::string_view what, Settings& settings) {
    if (!reader_.check_map(node, what, {"threshold", "priority", "action", "reason", "standalone"})) {
      return;
    }
    read_setting_fields(node, settings);
  }

  void read_setting_fields(const YAML::Node& node, Settings& settings) {
    if (const YAML::Node n = node["threshold"]) reader_.read_int(n, "threshold", 1, 1000, &settings.threshold);
    if (const YAML::Node n = node["priority"]) reader_.read_int(n, "priority", 0, 1000, &settings.priority);
    if (const YAML::Node n = node["standalone"]) reader_.read_bool(n, "standalone", &settings.standalone);
    std::string text;
    if (const YAML::Node n = node["action"]; n && reader_.read_string(n, "action", &text) &&
                                             !parse_action(text, &settings.action)) {
      reader_.error(n, "action must be reply, handoff or reply_and_handoff, not '" + text + "'");
    }
    if (const YAML::Node n = node["reason"]; n && reader_.read_string(n, "reason", &text) &&
                                             !parse_handoff_reason(text, &settings.reason)) {
      reader_.error(n, "reason must be intent, asked_for_human, complaint or unresolved, not '" +
                           text + "'");
    }
  }

  void read_intent(const YAML::Node& key, const YAML::Node& node, const Settings& defaults) {
    Intent intent;
    intent.name = key.Scalar();
    intent.topic = topic_;
    intent.where = reader_.at(key);
    const std::string prefix = topic_ + ".";
    const bool named_right = intent.name == topic_ ||
                             (intent.name.rfind(prefix, 0) == 0 &&
                              is_identifier(std::string_view(intent.name).substr(prefix.size())));
    if (!named_right) {
      reader_.error(key, "intent '" + intent.name + "' must be named '" + topic_ + "' or '" +
                             topic_ + ".<sub>' (lower-case letters, digits, _)");
      return;
    }
    if (!seen_names_.insert(intent.name).second ||
        std::any_of(loaded_.catalog.intents.begin(), loaded_.catalog.intents.end(),
                    [&](const Intent& other) { return other.name == intent.name; })) {
      reader_.error(key, "intent '" + intent.name + "' is defined twice");
      return;
    }
    if (!reader_.check_map(node, "intent '" + intent.name + "'",
                           {"keywords", "patterns", "exclude", "slots", "requires", "ask", "replies",
                            "handoff_replies", "examples", "not_examples", "threshold", "priority", "action", "reason",
                            "standalone"})) {
      return;
    }
    Settings settings = defaults;
    read_setting_fields(node, settings);
    intent.threshold = settings.threshold;
    intent.priority = settings.priority;
    intent.action = settings.action;
    intent.reason = settings.reason;
    intent.standalone = settings.standalone;

    if (const YAML::Node n = node["keywords"]) read_keywords(n, intent.rules);
    if (const YAML::Node n = node["patterns"]) read_patterns(n, intent.threshold, intent.rules);
    for (auto& item : reader_.read_string_list(node["exclude"], "exclude")) {
      intent.rules.push_back({RuleKind::kExclude, std::move(item.text), 0, std::move(item.where), item.text_column});
    }
    if (const YAML::Node n = node["slots"]) read_slots(n, intent);
    for (auto& item : reader_.read_string_list(node["requires"], "requires")) {
      const bool declared = std::any_of(intent.slots.begin(), intent.slots.end(),
                                        [&](const SlotSpec& s) { return s.name == item.text; });
      if (!declared) {
        loaded_.diagnostics.push_back(
            {item.where, "required slot '" + item.text + "' is not declared in 'slots'"});
      }
      intent.required_slots.push_back(std::move(item.text));
    }
    if (const YAML::Node n = node["ask"]) read_asks(n, intent);
    intent.replies = to_source_texts(reader_.read_string_list(node["replies"], "replies"));
    intent.handoff_replies = to_source_texts(reader_.read_string_list(node["handoff_replies"], "handoff_replies"));
    intent.examples = to_source_texts(reader_.read_string_list(node["examples"], "examples"));
    intent.not_examples = to_source_texts(reader_.read_string_list(node["not_examples"], "not_examples"));

    if (intent.rules.empty() || std::all_of(intent.rules.begin(), intent.rules.end(), [](const Rule& r) {
          return r.kind == RuleKind::kExclude;
        })) {
      reader_.error(key, "intent '" + intent.name + "' has no keywords or patterns");
    }
    if (intent.replies.empty() && intent.action != Action::kHandoff) {
      reader_.error(key, "intent '" + intent.name + "' has no replies (only action: handoff may have none)");
    }
    const bool every_slot_asked = std::all_of(
        intent.required_slots.begin(), intent.required_slots.end(), [&](const std::string& slot) {
          return std::any_of(intent.slot_asks.begin(), intent.slot_asks.end(),
                             [&](const SlotAsk& ask) { return ask.slot == slot; });
        });
    if (!intent.required_slots.empty() && intent.asks.empty() && !every_slot_asked) {
      reader_.error(key, "intent '" + intent.name + "' requires slots but has no 'ask' replies (a list, or "
                             "'any:' or one list per required slot)");
    }
    if (intent.examples.empty()) {
      reader_.error(key, "intent '" + intent.name + "' has no examples");
    }
    loaded_.catalog.intents.push_back(std::move(intent));
  }

  void read_keywords(const YAML::Node& node, std::vector<Rule>& rules) {
    if (!node.IsMap()) {
      reader_.error(node, "keywords must be a map of text → weight");
      return;
    }
    for (const auto& entry : node) {
      int weight = 0;
      if (!reader_.read_int(entry.second, "keyword weight", 1, kMaxWeight, &weight)) continue;
      std::string text = normalizer_.normalize(entry.first.Scalar());
      if (text.empty()) {
        reader_.error(entry.first, "keyword is empty once normalised");
        continue;
      }
      rules.push_back(
          {RuleKind::kKeyword, std::move(text), weight, reader_.at(entry.first), reader_.text_column(entry.first)});
    }
  }

  // A bare pattern weighs `bare_weight` (the threshold).
  void read_patterns(const YAML::Node& node, int bare_weight, std::vector<Rule>& rules) {
    if (!node.IsSequence()) {
      reader_.error(node, "patterns must be a list");
      return;
    }
    for (const auto& item : node) {
      if (item.IsScalar()) {
        rules.push_back({RuleKind::kPattern, item.Scalar(), bare_weight, reader_.at(item), reader_.text_column(item)});
        continue;
      }
      if (!reader_.check_map(item, "a pattern", {"re", "weight"})) continue;
      const YAML::Node& place = item["re"] ? item["re"] : item;
      Rule rule{RuleKind::kPattern, "", bare_weight, reader_.at(place), reader_.text_column(place)};
      if (!item["re"]) {
        reader_.error(item, "pattern needs 're'");
        continue;
      }
      if (!reader_.read_string(item["re"], "re", &rule.text)) continue;
      if (const YAML::Node w = item["weight"]; w && !reader_.read_int(w, "weight", 1, kMaxWeight, &rule.weight)) {
        continue;
      }
      rules.push_back(std::move(rule));
    }
  }

  // `ask:` is a list (asked whatever is missing) or a map of required slot
  // → list, asked when only that slot is missing, and `any` → list.
  void read_asks(const YAML::Node& node, Intent& intent) {
    if (!node.IsMap()) {
      intent.asks = to_source_texts(reader_.read_string_list(node, "ask"));
      return;
    }
    for (const auto& entry : node) {
      const std::string slot = entry.first.Scalar();
      std::vector<SourceText> texts = to_source_texts(reader_.read_string_list(entry.second, "ask"));
      if (slot == "any") {
        intent.asks = std::move(texts);
      } else if (std::find(intent.required_slots.begin(), intent.required_slots.end(), slot) !=
                 intent.required_slots.end()) {
        intent.slot_asks.push_back({slot, std::move(texts)});
      } else {
        reader_.error(entry.first, "ask for '" + slot + "': not a required slot of '" + intent.name + "' (nor 'any')");
      }
    }
  }

  void read_slots(const YAML::Node& node, Intent& intent) {
    if (!node.IsMap()) {
      reader_.error(node, "slots must be a map of name → pattern or {builtin: …}");
      return;
    }
    for (const auto& entry : node) {
      SlotSpec slot;
      slot.name = entry.first.Scalar();
      slot.where = reader_.at(entry.second);
      if (!is_identifier(slot.name)) {
        reader_.error(entry.first, "slot name '" + slot.name + "' must be lower-case letters, digits or _");
        continue;
      }
      const YAML::Node& value = entry.second;
      if (value.IsScalar()) {
        slot.pattern = value.Scalar();
        slot.text_column = reader_.text_column(value);
      } else if (reader_.check_map(value, "slot '" + slot.name + "'", {"re", "builtin"})) {
        if (value["re"] && value["builtin"]) {
          reader_.error(value, "slot '" + slot.name + "' has both 're' and 'builtin'");
          continue;
        }
        if (const YAML::Node re = value["re"]) {
          if (!reader_.read_string(re, "re", &slot.pattern)) continue;
          slot.text_column = reader_.text_column(re);
        } else if (const YAML::Node builtin = value["builtin"]) {
          std::string kind;
          if (!reader_.read_string(builtin, "builtin", &kind)) continue;
          if (kind == "height") {
            slot.kind = SlotKind::kHeight;
          } else if (kind == "weight") {
            slot.kind = SlotKind::kWeight;
          } else if (kind == "order_no") {
            slot.kind = SlotKind::kOrderNo;
          } else {
            reader_.error(builtin, "unknown builtin slot '" + kind + "' (known: height, weight, order_no)");
            continue;
          }
        } else {
          reader_.error(value, "slot '" + slot.name + "' needs 're' or 'builtin'");
          continue;
        }
      } else {
        continue;
      }
      intent.slots.push_back(std::move(slot));
    }
  }

  void read_mood(const YAML::Node& node) {
    if (!reader_.check_map(node, "mood", {"upset", "apologies"})) return;
    MoodRules& mood = loaded_.catalog.mood;
    if (!mood.where.file.empty()) {
      reader_.error(node, "mood is already defined in " + mood.where.to_string());
      return;
    }
    mood.where = reader_.at(node);
    const YAML::Node upset = node["upset"];
    if (!upset) {
      reader_.error(node, "mood needs 'upset' (keywords or patterns)");
    } else if (reader_.check_map(upset, "mood.upset", {"keywords", "patterns", "threshold"})) {
      if (const YAML::Node n = upset["threshold"]) reader_.read_int(n, "threshold", 1, 1000, &mood.threshold);
      if (const YAML::Node n = upset["keywords"]) read_keywords(n, mood.upset);
      if (const YAML::Node n = upset["patterns"]) read_patterns(n, mood.threshold, mood.upset);
      if (mood.upset.empty()) reader_.error(upset, "mood.upset has no keywords or patterns");
    }
    mood.apologies = to_source_texts(reader_.read_string_list(node["apologies"], "apologies"));
    if (mood.apologies.empty()) reader_.error(node, "mood needs 'apologies' (said first to an upset buyer)");
  }

  void read_fallback(const YAML::Node& node) {
    if (!reader_.check_map(node, "fallback",
                           {"replies", "handoff_after", "handoff_replies", "queue_replies", "after_hours_replies",
                            "notice_replies", "item_asks"})) {
      return;
    }
    Fallback& fallback = loaded_.catalog.fallback;
    if (!fallback.where.file.empty()) {
      reader_.error(node, "fallback is already defined in " + fallback.where.to_string());
      return;
    }
    fallback.where = reader_.at(node);
    fallback.replies = to_source_texts(reader_.read_string_list(node["replies"], "replies"));
    fallback.handoff_replies =
        to_source_texts(reader_.read_string_list(node["handoff_replies"], "handoff_replies"));
    fallback.queue_replies = to_source_texts(reader_.read_string_list(node["queue_replies"], "queue_replies"));
    fallback.after_hours_replies =
        to_source_texts(reader_.read_string_list(node["after_hours_replies"], "after_hours_replies"));
    fallback.notice_replies = to_source_texts(reader_.read_string_list(node["notice_replies"], "notice_replies"));
    fallback.item_asks = to_source_texts(reader_.read_string_list(node["item_asks"], "item_asks"));
    if (const YAML::Node n = node["handoff_after"]) {
      reader_.read_int(n, "handoff_after", 1, 100, &fallback.handoff_after);
    }
    if (fallback.replies.empty()) reader_.error(node, "fallback needs 'replies' (a clarifying question)");
    if (fallback.handoff_replies.empty()) reader_.error(node, "fallback needs 'handoff_replies'");
  }

  YamlReader reader_;
  const Normalizer& normalizer_;
  LoadedCatalog& loaded_;
  std::string topic_;
  std::set<std::string> seen_names_;
};

}  // namespace

void load_intent_source(const std::string& file_name, std::string_view text,
                        const Normalizer& normalizer, LoadedCatalog& loaded) {
  try {
    FileLoader(file_name, normalizer, loaded).load(text);
  } catch (const YAML::Exception& e) {
    loaded.diagnostics.push_back({{file_name, e.mark.line + 1, e.mark.column + 1}, e.msg});
  }
}

LoadedCatalog load_intent_dir(const std::filesystem::path& dir, const Normalizer& normalizer) {
  LoadedCatalog loaded;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(entry.path());
  }
  if (ec) {
    loaded.diagnostics.push_back({{dir.string(), 0, 0}, "cannot read intent directory: " + ec.message()});
    return loaded;
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::string text;
    if (!common::read_file(path.string(), &text)) {
      loaded.diagnostics.push_back({{path.string(), 0, 0}, "cannot read file"});
      continue;
    }
    load_intent_source(path.string(), text, normalizer, loaded);
  }
  if (loaded.catalog.intents.empty() && !common::has_errors(loaded.diagnostics)) {
    loaded.diagnostics.push_back({{dir.string(), 0, 0}, "no intents found (*.yaml)"});
  }
  if (loaded.catalog.fallback.where.file.empty()) {
    loaded.diagnostics.push_back({{dir.string(), 0, 0}, "no fallback file (a file with 'fallback:')"});
  }
  return loaded;
}

}  // namespace xiaoer::nlu
