#include "daemon/chat/agent_operations.hpp"

#include <utility>

namespace xiaoer::chat {
namespace {

Effect refused(const Snapshot& s, const proto::AgentCommand& command, std::string message,
               proto::ErrorCode code = proto::ErrorCode::kBadRequest) {
  Effect e;
  e.chat = s.chat;
  e.version = s.version;
  e.durability = Durability::kBestEffort;
  e.sends.answer = proto::ErrorFrame{command.request_id, code, std::move(message)};
  return e;
}

// Whether `taker` may take one more chat; else the refusal.
std::optional<Effect> over_capacity(const Snapshot& s, const proto::AgentCommand& command, const std::string& taker,
                                    int capacity) {
  if (capacity <= 0) return std::nullopt;
  const auto held = s.held_by_agent.find(taker);
  if (held == s.held_by_agent.end() || held->second < capacity) return std::nullopt;
  return refused(s, command, taker + " already holds " + std::to_string(capacity) + " chats, its capacity");
}

}  // namespace

Effect decide_agent(const Snapshot& s, const proto::AgentCommand& command, const std::string& agent,
                    std::int64_t now_ms, bool supervisor, int capacity) {
  if (!s.ticket || s.ticket->id != command.ticket) return refused(s, command, "no open ticket " + command.ticket);
  const queue::Ticket& before = *s.ticket;
  queue::Ticket after = before;
  Effect e;
  e.chat = s.chat;
  e.version = s.version;
  proto::TicketEventKind event{};
  int position = 0;
  switch (command.op) {
    case proto::AgentOp::kClaim:
      if (!queue::claim(after, agent)) {
        return refused(s, command, "ticket " + command.ticket + " is already claimed by " + before.agent);
      }
      if (auto full = over_capacity(s, command, agent, capacity)) return std::move(*full);
      e.taker = Effect::Taker{agent, capacity};
      e.changes.emplace_back(change::Claimed{after.id, agent});
      event = proto::TicketEventKind::kClaimed;
      break;
    case proto::AgentOp::kRelease: {
      // A supervisor frees anyone's ticket (an agent gone home): recorded as
      // its holder's release, which replay applies by the same rule.
      const std::string holder = supervisor && before.state == queue::TicketState::kClaimed ? before.agent : agent;
      if (!queue::release(after, holder)) {
        return refused(s, command, "ticket " + command.ticket + " is not claimed by " + agent);
      }
      e.changes.emplace_back(change::Released{after.id, holder});
      event = proto::TicketEventKind::kReleased;
      position = s.ticket_position;
      break;
    }
    case proto::AgentOp::kSend:
      if (!queue::record_agent_reply(after, agent, command.text, now_ms)) {
        return refused(s, command, "claim ticket " + command.ticket + " before sending");
      }
      e.changes.emplace_back(change::AgentReplied{after.id, agent, command.text, now_ms});
      e.sends.pushes.emplace_back(proto::AgentReplyFrame{s.chat, command.text, agent, after.id, {}});
      event = proto::TicketEventKind::kUpdated;
      break;
    case proto::AgentOp::kResolve:
      if (before.state == queue::TicketState::kClaimed && before.agent != agent && !supervisor) {
        return refused(s, command, "ticket " + command.ticket + " is claimed by " + before.agent);
      }
      e.changes.emplace_back(change::Resolved{after.id, now_ms});
      e.resolved_ticket = after.id;
      e.sends.route_closed = true;
      event = proto::TicketEventKind::kResolved;
      break;
    case proto::AgentOp::kTransfer: {
      const bool holds = before.state == queue::TicketState::kClaimed && before.agent == agent;
      if (!holds && !supervisor) {
        return refused(s, command, "only the agent holding ticket " + command.ticket + " or a supervisor transfers it",
                       proto::ErrorCode::kForbidden);
      }
      if (command.to.empty() || command.to == before.agent) {
        return refused(s, command, "transfer ticket " + command.ticket + " to another agent");
      }
      if (auto full = over_capacity(s, command, command.to, capacity)) return std::move(*full);
      e.taker = Effect::Taker{command.to, capacity};
      // A release by its holder then a claim by the new one, in one commit.
      if (before.state == queue::TicketState::kClaimed) {
        queue::release(after, before.agent);
        e.changes.emplace_back(change::Released{after.id, before.agent});
      }
      queue::claim(after, command.to);
      e.changes.emplace_back(change::Claimed{after.id, command.to});
      event = proto::TicketEventKind::kTransferred;
      break;
    }
    case proto::AgentOp::kNote: {
      const queue::TranscriptLine line{"note", command.text, now_ms, agent};
      queue::add_line(after, line);
      e.changes.emplace_back(change::LineAdded{after.id, line});
      event = proto::TicketEventKind::kUpdated;
      break;
    }
    case proto::AgentOp::kList:
      return refused(s, command, "list changes nothing");
  }
  const bool resolved = !e.resolved_ticket.empty();
  // The agent who asked sees what every agent is shown of the change.
  const AgentEvent& changed = e.sends.events.emplace_back(event, after, position, resolved);
  e.sends.answer =
      proto::AgentOkFrame{command.op, command.request_id, std::make_shared<const proto::TicketView>(changed.view())};
  if (!resolved) e.ticket = std::move(after);
  return e;
}

std::optional<Effect> decide_notice(const Snapshot& s, const engine::Engine& bot, std::int64_t now_ms,
                                    std::int64_t wait_ms) {
  if (!s.ticket) return std::nullopt;
  const queue::Ticket& ticket = *s.ticket;
  if (ticket.notice_sent || ticket.last_agent_reply_ms != 0 || now_ms - ticket.opened_ms < wait_ms) {
    return std::nullopt;
  }
  const std::string text =
      bot.queue_text(engine::Engine::QueueText::kNotice, 0, ticket.upset ? reply::Mood::kUpset : reply::Mood::kCalm,
                     ticket.channel, static_cast<std::uint32_t>(ticket.number));
  Effect e;
  e.chat = s.chat;
  e.version = s.version;
  queue::Ticket after = ticket;
  after.notice_sent = true;
  const queue::TranscriptLine line{"notice", text, now_ms};
  queue::add_line(after, line);
  e.changes.emplace_back(change::NoticeSent{after.id, now_ms});
  e.changes.emplace_back(change::LineAdded{after.id, line});
  // Sent only once persisted: if the journal refuses, it is tried again at
  // the next tick, so a buyer gets one courtesy text at most.
  if (!text.empty()) e.sends.pushes.emplace_back(proto::NoticeFrame{s.chat, text, after.id, {}});
  e.ticket = std::move(after);
  e.counts.notice = true;
  return e;
}

}  // namespace xiaoer::chat
