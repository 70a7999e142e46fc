#include "daemon/tools/try_tool.hpp"

#include <iomanip>
#include <ostream>

#include "daemon/tools/tool_args.hpp"

namespace xiaoer::tools {
namespace {

void explain(const engine::Engine& engine, std::string_view text, const engine::Outcome& outcome,
             std::ostream& out) {
  const nlu::IntentSet& set = engine.intent_set();
  const nlu::Classification& c = outcome.classification;
  out << "text:        " << text << "\n";
  const std::string normalized = engine.normalizer().normalize(text);
  out << "normalised:  " << normalized << "\n";
  if (outcome.core != normalized) out << "core:        " << outcome.core << "\n";
  out << "rules fired:" << (c.fired_rules.empty() ? " none" : "") << "\n";
  for (int index : c.fired_rules) {
    const nlu::IntentSet::CompiledRule& rule = set.rules()[index];
    const std::string_view owner =
        rule.intent == nlu::IntentSet::kMoodRule ? "(mood: upset)" : std::string_view(set.intents()[rule.intent].name);
    out << "  " << std::left << std::setw(22) << owner << std::setw(8)
        << nlu::to_string(rule.kind) << " '" << rule.source->text << "'"
        << (rule.kind == nlu::RuleKind::kExclude ? std::string("  (excludes)") : "  +" + std::to_string(rule.weight))
        << "  " << rule.source->where.to_string() << "\n";
  }
  out << "scores:" << (c.scores.empty() ? " none" : "") << "\n";
  for (const nlu::IntentScore& s : c.scores) {
    const nlu::Intent& intent = set.intents()[s.intent];
    out << "  " << std::left << std::setw(22) << intent.name << s.score << " / threshold " << intent.threshold
        << (s.excluded ? "  excluded" : s.score >= intent.threshold ? "  fires" : "")
        << (intent.standalone ? "  (standalone)" : "") << "\n";
  }
  out << "chosen:      ";
  if (outcome.intents.empty()) out << "none";
  for (std::size_t i = 0; i < outcome.intents.size(); ++i) out << (i ? ", " : "") << outcome.intents[i];
  if (c.from_context) out << "  (continues what the last turn asked)";
  out << "  confidence " << std::fixed << std::setprecision(2) << outcome.confidence << "\n";
  out << "slots:       ";
  if (c.slots.empty()) out << "none";
  for (const auto& [name, value] : c.slots.entries()) out << name << "=" << value << " ";
  out << "\n";
  if (engine.catalogue() != nullptr) {
    out << "item:        " << (outcome.item ? outcome.item->id + " " + outcome.item->title : std::string("none known"))
        << (outcome.asked_for_item ? "  (asked which item)" : "") << "\n";
  }
  out << "mood:        " << reply::to_string(outcome.mood);
  if (c.upset_score > 0) out << "  (upset score " << c.upset_score << " / threshold " << set.mood().threshold << ")";
  out << "\n";
  out << "decision:    "
      << (outcome.kind == engine::Outcome::Kind::kHandoff
              ? "handoff (" + std::string(nlu::to_string(outcome.reason)) + ")"
              : std::string("reply"))
      << "\n";
  if (!outcome.next.awaiting.empty()) out << "awaiting:    slots of " << outcome.next.awaiting << "\n";
  out << "reply:       " << outcome.text << "\n";
}

}  // namespace

int run_try(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ToolArgs parsed;
  if (!parse_tool_args(args, &parsed, err) || parsed.positional.empty()) {
    err << "usage: xiaoerd try [--intents DIR] [--shop FILE] [--catalogue PATH] [--item ID] [--channel NAME] TEXT "
           "[TEXT…]\n";
    return 2;
  }
  const auto engine = load_engine(parsed.sources, err, /*warnings=*/false);
  if (!engine) return 1;
  nlu::Context context;
  for (std::size_t i = 0; i < parsed.positional.size(); ++i) {
    if (i > 0) out << "\n";
    const engine::Outcome outcome = engine->respond(parsed.positional[i], context, parsed.channel, {parsed.item});
    explain(*engine, parsed.positional[i], outcome, out);
    context = outcome.next;
  }
  return 0;
}

}  // namespace xiaoer::tools
