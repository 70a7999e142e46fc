#include "daemon/service/chat_service.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

#include "daemon/chat/agent_operations.hpp"
#include "daemon/chat/assignment.hpp"
#include "daemon/chat/message_path.hpp"
#include "daemon/chat/sla.hpp"
#include "daemon/chat/ticket_view.hpp"

namespace xiaoer::service {
namespace {

using proto::ErrorCode;

// Decisions of one request in a row refused because its chat kept changing
// before this is answered `unavailable` (each retry needs another change of
// the same chat to land between its load and its commit).
constexpr int kMaxAttempts = 16;

constexpr std::string_view kUnavailable =
    "the human queue cannot record this change now (journal write failed, e.g. disk full); resend later";
constexpr std::string_view kBusy = "the chat kept changing while this was decided; resend later";

}  // namespace

// One message, command or notice on its way through load → decide → commit.
struct ChatService::Request {
  std::function<void(store::Store::Loaded)> load;
  std::function<chat::Effect(chat::Snapshot)> decide;
  std::string answer_id;  // in_reply_to of an `unavailable` answer
  Answer answer;          // empty for a notice
  int attempts = 0;
};

ChatService::ChatService(engine::EngineStore& engines, store::Store& store, chat::Outbound& outbound,
                         common::Metrics& metrics, const chat::Clock& clock, chat::ChatOptions options)
    : engines_(engines),
      store_(store),
      outbound_(outbound),
      metrics_(metrics),
      clock_(clock),
      options_(std::make_shared<const chat::ChatOptions>(options)) {}

chat::ChatOptions ChatService::options() const { return *options_.load(std::memory_order_acquire); }

void ChatService::set_options(chat::ChatOptions options) {
  options_.store(std::make_shared<const chat::ChatOptions>(options), std::memory_order_release);
}

void ChatService::handle_message(proto::InboundMessage message, Answer answer) {
  auto request = std::make_shared<Request>();
  request->load = [this, chat = message.chat](store::Store::Loaded loaded) { store_.load(chat, std::move(loaded)); };
  request->answer_id = message.id;
  request->decide = [this, message = std::move(message)](chat::Snapshot snapshot) {
    const std::shared_ptr<const engine::Engine> engine = engines_.snapshot();
    const chat::ChatOptions o = options();
    // Stock only matters to a message about a catalogue item.
    std::shared_ptr<const catalogue::LiveStock> live;
    if (engine->catalogue() != nullptr && !message.item_id.empty()) live = store_.live_stock();
    return chat::decide_message(std::move(snapshot), message,
                                chat::MessageInputs{*engine, o, clock_.now_ms(), clock_.minute_of_day(), live.get()});
  };
  request->answer = std::move(answer);
  run(std::move(request));
}

void ChatService::handle_agent(const proto::AgentCommand& command, const std::string& agent, Answer answer,
                               bool supervisor, int capacity) {
  if (command.op == proto::AgentOp::kList) {
    answer(proto::QueueFrame{tickets()});
    return;
  }
  if (agent.empty()) {
    answer(proto::ErrorFrame{command.request_id, ErrorCode::kBadRequest,
                             "no agent name: connect with ?agent=NAME or send \"agent\""});
    return;
  }
  auto request = std::make_shared<Request>();
  request->load = [this, ticket = command.ticket](store::Store::Loaded loaded) {
    store_.load_ticket(ticket, std::move(loaded));
  };
  request->decide = [this, command, agent, supervisor, capacity](chat::Snapshot snapshot) {
    const std::int64_t now = clock_.now_ms();
    chat::Effect effect = chat::decide_agent(snapshot, command, agent, now, supervisor, capacity);
    if (effect.changes.empty() || !snapshot.ticket) return effect;
    if (command.op == proto::AgentOp::kClaim) effect.counts.taken_by = agent;
    if (command.op == proto::AgentOp::kTransfer) effect.counts.taken_by = command.to;
    if (command.op == proto::AgentOp::kSend && snapshot.ticket->last_agent_reply_ms == 0) {
      effect.counts.first_reply_ms = now - snapshot.ticket->opened_ms;
    }
    if (command.op == proto::AgentOp::kSend || command.op == proto::AgentOp::kResolve) {
      // The buyer's waiting lines answered, or left for good, past their
      // deadline (chat::missed_deadlines counts the same).
      const std::int64_t deadline = chat::sla_deadline_ms(chat::view(*snapshot.ticket, 0), options());
      effect.counts.sla_breach = deadline != 0 && now > deadline;
    }
    return effect;
  };
  request->answer_id = command.request_id;
  request->answer = std::move(answer);
  run(std::move(request));
}

void ChatService::assign(const std::string& ticket, std::vector<chat::Candidate> candidates,
                         std::function<void(const std::string& agent)> assigned) {
  auto request = std::make_shared<Request>();
  request->load = [this, ticket](store::Store::Loaded loaded) { store_.load_ticket(ticket, std::move(loaded)); };
  request->decide = [this, ticket, candidates = std::move(candidates)](chat::Snapshot snapshot) {
    chat::Effect effect = chat::decide_assign(snapshot, ticket, candidates, clock_.now_ms());
    if (effect.taker) effect.counts.taken_by = effect.taker->agent;
    return effect;
  };
  request->answer = [assigned = std::move(assigned)](proto::Answer answer) {
    const auto* ok = std::get_if<proto::AgentOkFrame>(&answer);
    if (ok != nullptr && ok->ticket && assigned) assigned(ok->ticket->agent);
  };
  run(std::move(request));
}

void ChatService::release_unanswered(const std::string& agent) {
  for (const store::Store::Listed& listed : store_.tickets()) {
    const queue::Ticket& t = listed.ticket;
    if (t.state != queue::TicketState::kClaimed || t.agent != agent || chat::answered_by(t, agent)) continue;
    auto request = std::make_shared<Request>();
    request->load = [this, ticket = t.id](store::Store::Loaded loaded) {
      store_.load_ticket(ticket, std::move(loaded));
    };
    request->decide = [this, ticket = t.id, agent](chat::Snapshot snapshot) {
      return chat::decide_lapse(snapshot, ticket, agent, clock_.now_ms());
    };
    spdlog::info("agent {} away past the grace period: ticket {} goes back in line", agent, t.id);
    run(std::move(request));
  }
}

void ChatService::run(std::shared_ptr<Request> request) {
  request->load([this, request](chat::Snapshot snapshot) {
    chat::Effect effect = request->decide(std::move(snapshot));
    const std::string chat = effect.chat;
    auto counts = std::make_shared<chat::Counts>(std::move(effect.counts));
    auto traffic = std::make_shared<std::optional<chat::TrafficLine>>(std::move(effect.traffic));
    // The sends go with the effect: the store gives its pushes their ids.
    store_.commit(std::move(effect), [this, request, chat, counts, traffic](store::CommitResult result,
                                                                            chat::Sends sends) {
      switch (result) {
        case store::CommitResult::kCommitted:
        case store::CommitResult::kNotDurable:
          count(*counts);
          if (*traffic && traffic_listener_ != nullptr) traffic_listener_->heard(**traffic);
          send(chat, std::move(sends), request->answer);
          return;
        case store::CommitResult::kConflict:
          if (++request->attempts < kMaxAttempts) {
            run(request);
            return;
          }
          spdlog::warn("chat {}: {} decisions in a row refused as it changed meanwhile; answered 'unavailable'",
                       chat, kMaxAttempts);
          if (request->answer) {
            request->answer(proto::ErrorFrame{request->answer_id, ErrorCode::kUnavailable, std::string(kBusy)});
          }
          return;
        case store::CommitResult::kUnavailable:
          if (request->answer) {
            request->answer(
                proto::ErrorFrame{request->answer_id, ErrorCode::kUnavailable, std::string(kUnavailable)});
          }
          return;
      }
    });
  });
}

void ChatService::send(const std::string& chat, chat::Sends sends, const Answer& answer) {
  for (proto::Push& push : sends.pushes) outbound_.to_gateway(chat, std::move(push));
  if (sends.route_closed) outbound_.ticket_closed(chat);
  for (const chat::AgentEvent& event : sends.events) {
    outbound_.to_agents(event.kind, event.ticket_id(), [&] {
      proto::TicketView shown = event.view();
      decorate(shown);
      return shown;
    });
  }
  if (!sends.answer || !answer) return;
  if (auto* ok = std::get_if<proto::AgentOkFrame>(&*sends.answer); ok && ok->ticket) {
    proto::TicketView shown = *ok->ticket;
    decorate(shown);
    ok->ticket = std::make_shared<const proto::TicketView>(std::move(shown));
  }
  answer(std::move(*sends.answer));
}

void ChatService::decorate(proto::TicketView& ticket) const {
  if (ticket.state == "resolved") return;
  ticket.deadline_ms = chat::sla_deadline_ms(ticket, options());
  if (ticket.transcript.empty() || ticket.transcript.back().from != "buyer") return;
  // The bot's answer to the last line alone, without the chat's context: a
  // draft the agent edits, never sent by itself.
  const engine::Outcome outcome = engines_.snapshot()->respond(ticket.transcript.back().text, {}, ticket.channel);
  if (outcome.kind == engine::Outcome::Kind::kReply) ticket.suggestion = outcome.text;
}

void ChatService::count(const chat::Counts& counts) {
  if (!counts.answer_type.empty()) metrics_.answers_by_type.with(counts.answer_type).add();
  if (!counts.topic.empty()) metrics_.messages_by_topic.with(counts.topic).add();
  if (!counts.handoff_reason.empty()) metrics_.handoffs_by_reason.with(counts.handoff_reason).add();
  if (counts.resend) metrics_.resends.add();
  if (counts.notice) metrics_.queue_notices.add();
  if (!counts.taken_by.empty()) metrics_.tickets_by_agent.with(counts.taken_by).add();
  if (counts.first_reply_ms >= 0) {
    metrics_.first_agent_replies.add();
    metrics_.first_agent_reply_ms_sum += counts.first_reply_ms;
  }
  if (counts.sla_breach) metrics_.sla_breaches.add();
}

std::vector<proto::TicketView> ChatService::tickets() {
  std::vector<proto::TicketView> out;
  for (const store::Store::Listed& listed : store_.tickets()) {
    out.push_back(chat::view(listed.ticket, listed.position));
    decorate(out.back());
  }
  // Waiting first, each part by time left (nothing owed: last).
  const auto due = [](const proto::TicketView& t) {
    return t.deadline_ms == 0 ? std::numeric_limits<std::int64_t>::max() : t.deadline_ms;
  };
  std::stable_sort(out.begin(), out.end(), [&](const proto::TicketView& a, const proto::TicketView& b) {
    if ((a.state == "waiting") != (b.state == "waiting")) return a.state == "waiting";
    return due(a) < due(b);
  });
  return out;
}

void ChatService::ticket(const std::string& id, std::function<void(std::optional<proto::TicketView>)> shown) {
  store_.load_ticket(id, [this, id, shown = std::move(shown)](chat::Snapshot snapshot) {
    if (!snapshot.ticket || snapshot.ticket->id != id) return shown(std::nullopt);
  proto::TicketView view = chat::view(*snapshot.ticket, snapshot.ticket->state == queue::TicketState::kWaiting
                                                              ? snapshot.ticket_position
                                                              : 0);
    decorate(view);
    shown(std::move(view));
  });
}

void ChatService::tick() {
  const std::int64_t now = clock_.now_ms();
  const chat::ChatOptions o = options();
  for (const std::string& chat : store_.chats_due_notice(now, o.notice_after_ms)) {
    auto request = std::make_shared<Request>();
    request->load = [this, chat](store::Store::Loaded loaded) { store_.load(chat, std::move(loaded)); };
    request->decide = [this, now, wait = o.notice_after_ms](chat::Snapshot snapshot) {
      std::optional<chat::Effect> notice = chat::decide_notice(snapshot, *engines_.snapshot(), now, wait);
      if (notice) return std::move(*notice);
      chat::Effect nothing;  // no longer due (answered, or sent meanwhile)
      nothing.chat = snapshot.chat;
      return nothing;
    };
    run(std::move(request));
  }
  store_.tick(now, o.expire_after_ms);
}

std::vector<proto::TicketView> ChatService::history(std::string_view query, std::int64_t back_ms,
                                                    std::size_t limit) {
  std::vector<proto::TicketView> out;
  for (const queue::ResolvedTicket& done : store_.resolved(query, clock_.now_ms() - back_ms, limit)) {
    out.push_back(chat::view(done.ticket, 0));
    out.back().state = "resolved";
    out.back().deadline_ms = 0;
  }
  return out;
}

std::map<std::string, double> ChatService::open_chats_by_agent() {
  std::map<std::string, double> out;
  for (const auto& [agent, claimed] : store_.held_by_agent()) out.emplace(agent, claimed);
  return out;
}

std::int64_t ChatService::sla_breaches_today() {
  const std::int64_t now = clock_.now_ms();
  const std::int64_t today = clock_.day_start_ms();
  {
    std::lock_guard lock(breaches_mutex_);
    if (breaches_today_.day_start_ms == today && now - breaches_today_.counted_ms < kBreachesTodayMaxAgeMs) {
      return breaches_today_.count;
    }
  }
  const chat::ChatOptions o = options();
  std::int64_t count = 0;
  for (const store::Store::Listed& listed : store_.tickets()) {
    count += chat::missed_deadlines(chat::view(listed.ticket, 0), o, today, now);
  }
  // A deadline of today was missed by a ticket resolved today, if at all.
  for (const queue::ResolvedTicket& done : store_.resolved("", today, queue::kMaxResolved)) {
    count += chat::missed_deadlines(chat::view(done.ticket, 0), o, today, done.resolved_ms);
  }
  std::lock_guard lock(breaches_mutex_);
  breaches_today_ = {today, now, count};
  return count;
}

double ChatService::oldest_waiting_seconds() {
  const std::int64_t now = clock_.now_ms();
  const auto oldest = store_.oldest_waiting_ms();
  return oldest ? static_cast<double>(now - *oldest) / 1000.0 : 0.0;
}

}  // namespace xiaoer::service
