#include "daemon/app/reload_guard.hpp"

#include <iomanip>
#include <sstream>

#include "daemon/tools/answer_diff.hpp"

namespace xiaoer::app {
namespace {

constexpr std::size_t kExamples = 3;
// Messages whose channel is unknown (none are: the gateway names it).
constexpr const char* kDefaultChannel = "default";

}  // namespace

ReloadImpact weigh_reload(const engine::Engine& running, const engine::Engine& next,
                          const std::vector<traffic::RecentMessage>& recent, double max_changed_share, bool force) {
  std::vector<tools::TrafficEntry> messages;
  messages.reserve(recent.size());
  for (const traffic::RecentMessage& m : recent) messages.push_back({m.text, m.channel});
  const tools::AnswerDiff diff = tools::diff_answers(running, next, messages, kDefaultChannel, kExamples);
  ReloadImpact impact;
  impact.messages = diff.messages;
  impact.changed = diff.changed;
  std::ostringstream summary;
  tools::print_answer_diff(diff, summary);
  impact.summary = summary.str();
  if (!force && diff.messages >= kMinMessages && diff.changed_share() > max_changed_share) {
    std::ostringstream why;
    why << std::fixed << std::setprecision(1) << "the new set changes " << 100.0 * diff.changed_share() << " % of the "
        << diff.messages << " recent answers, more than reload.max_changed_share (" << 100.0 * max_changed_share
        << " %)";
    impact.refused = true;
    impact.why = why.str();
  }
  return impact;
}

}  // namespace xiaoer::app
