#include "daemon/chat/chat_service.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "daemon/chat/journal_records.hpp"
#include "daemon/proto/codec.hpp"

namespace xiaoer::chat {
namespace {

using proto::ErrorCode;

constexpr std::int64_t kCompactionRetryMs = 30'000;

constexpr std::string_view kUnavailable =
    "the human queue cannot record this change now (journal write failed, e.g. disk full); resend later";

std::string error_frame(std::string_view id, ErrorCode code, std::string message) {
  return proto::encode(proto::ErrorFrame{std::string(id), code, std::move(message)});
}

const std::string* find_answered(const ChatState& chat, std::string_view id) {
  for (auto it = chat.answered.rbegin(); it != chat.answered.rend(); ++it) {
    if (it->first == id) return &it->second;
  }
  return nullptr;
}

void forget_answered(ChatState& chat, std::string_view id) {
  std::erase_if(chat.answered, [&](const auto& entry) { return entry.first == id; });
}

// Token bucket: `burst` messages at once, refilled at `rate` a second.
bool take_token(ChatState& chat, std::int64_t now, const ChatOptions& o) {
  if (chat.tokens < 0) {
    chat.tokens = o.burst;
    chat.refilled_ms = now;
  }
  chat.tokens = std::min<double>(o.burst, chat.tokens + (now - chat.refilled_ms) * o.messages_per_second / 1000.0);
  chat.refilled_ms = now;
  if (chat.tokens < 1) return false;
  chat.tokens -= 1;
  return true;
}

bool open_now(const reply::BusinessHours& hours, int minute) {
  if (hours.open_minute == hours.close_minute) return true;
  if (hours.open_minute < hours.close_minute) return minute >= hours.open_minute && minute < hours.close_minute;
  return minute >= hours.open_minute || minute < hours.close_minute;  // past midnight
}

std::string topic_label(const engine::Outcome& o) {
  if (o.topics.empty()) return "none";
  std::string label = o.topics.front();
  for (std::size_t i = 1; i < o.topics.size(); ++i) label += "+" + o.topics[i];
  return label;
}

}  // namespace

ChatService::ChatService(engine::EngineStore& engines, Outbound& outbound, common::Metrics& metrics,
                         const Clock& clock, ChatOptions options)
    : engines_(engines),
      outbound_(outbound),
      metrics_(metrics),
      clock_(clock),
      options_(std::make_shared<const ChatOptions>(options)) {}

ChatOptions ChatService::options() const { return *options_.load(std::memory_order_acquire); }

void ChatService::set_options(ChatOptions options) {
  options_.store(std::make_shared<const ChatOptions>(options), std::memory_order_release);
}

void ChatService::attach_journal(queue::Journal& journal) { journal_ = &journal; }

void ChatService::append(std::string record, queue::Journal::Done done) {
  journal_->append(std::move(record), [this, done = std::move(done)](bool ok) {
    if (!ok) metrics_.journal_failures.add();
    if (done) done(ok);
  });
}

bool ChatService::replay(std::string_view payload, std::string* error) {
  const auto record = records::parse(payload, error);
  if (!record) return false;
  const ChatOptions o = options();
  const records::Record& r = *record;
  if (r.type == "answer") {
    auto& shard = chats_.shard_for(r.chat);
    std::lock_guard lock(shard.mutex);
    ChatState& chat = shard.chats[r.chat];
    push_bounded(chat.answered, {r.id, r.frame}, o.answered_window);
    chat.context = r.context;
    chat.last_seen_ms = clock_.now_ms();
    return true;
  }
  if (r.type == "resend") return true;
  if (r.type == "hold") {
    {
      std::lock_guard lock(queue_mutex_);
      if (queue_.find(r.ticket) == nullptr) {
        *error = "record 'hold' for unknown ticket " + r.ticket;
        return false;
      }
      queue_.add_line(r.ticket, {"buyer", r.text, r.ts});
    }
    auto& shard = chats_.shard_for(r.chat);
    std::lock_guard lock(shard.mutex);
    ChatState& chat = shard.chats[r.chat];
    push_bounded(chat.answered, {r.id, proto::encode(proto::HoldFrame{r.id, r.chat, r.ticket})}, o.answered_window);
    chat.last_seen_ms = clock_.now_ms();
    return true;
  }
  std::lock_guard lock(queue_mutex_);
  if (r.type == "open") {
    if (queue_.find(r.ticket) != nullptr || queue_.find_by_chat(r.chat) != nullptr) {
      *error = "ticket " + r.ticket + " opened twice";
      return false;
    }
    queue_.restore(r.full);
    return true;
  }
  if (queue_.find(r.ticket) == nullptr) {
    *error = "record '" + r.type + "' for unknown ticket " + r.ticket;
    return false;
  }
  if (r.type == "line") {
    queue_.add_line(r.ticket, {r.from, r.text, r.ts});
  } else if (r.type == "claim") {
    queue_.claim(r.ticket, r.agent);
  } else if (r.type == "release") {
    queue_.release(r.ticket, r.agent);
  } else if (r.type == "agent_reply") {
    queue_.record_agent_reply(r.ticket, r.agent, r.text, r.ts);
  } else if (r.type == "resolve") {
    queue_.resolve(r.ticket);
  } else if (r.type == "notice") {
    queue_.mark_notice_sent(r.ticket);
  }
  return true;
}

void ChatService::handle_message(const proto::InboundMessage& m, Answer answer) {
  const std::int64_t now = clock_.now_ms();
  const ChatOptions o = options();
  ChatTable::Shard& shard = chats_.shard_for(m.chat);
  std::unique_lock lock(shard.mutex);
  ChatState& chat = shard.chats[m.chat];
  chat.last_seen_ms = now;

  if (const std::string* frame = find_answered(chat, m.id)) {
    metrics_.resends.add();
    append(records::resend(m.chat, m.id), [answer, frame = *frame](bool) { answer(frame); });
    return;
  }
  if (!take_token(chat, now, o)) {
    lock.unlock();
    metrics_.answers_by_type.with("error").add();
    answer(error_frame(m.id, ErrorCode::kRateLimited,
                       "over " + std::to_string(o.messages_per_second) + " messages a second in this chat"));
    return;
  }
  Commit commit;
  commit.before = chat.context;
  const queue::TranscriptLine buyer_line{"buyer", m.text, now};
  push_bounded(chat.recent, buyer_line, o.transcript_lines);
  commit.added_recent.push_back(buyer_line);

  std::unique_lock queue_lock(queue_mutex_);
  if (const queue::Ticket* ticket = queue_.find_by_chat(m.chat)) {
    // With a human already: the message joins the ticket.
    const std::string ticket_id = ticket->id;
    queue_.add_line(ticket_id, buyer_line);
    // One record is both the change and its answer (the commonest record
    // under load: kept small).
    commit.change.push_back(records::hold(m.chat, m.id, ticket_id, buyer_line));
    commit.answer_in_change = true;
    commit.frame = proto::encode(proto::HoldFrame{m.id, m.chat, ticket_id});
    commit.type = "hold";
    commit.undo_queue = [this, ticket_id, buyer_line] {
      std::lock_guard q(queue_mutex_);
      queue_.remove_line(ticket_id, buyer_line);
    };
    commit_answer(m, chat, std::move(commit), std::move(answer));
    return;
  }
  queue_lock.unlock();

  const std::shared_ptr<const engine::Engine> engine = engines_.snapshot();
  engine::Outcome outcome = engine->respond(m.text, chat.context, m.channel);
  metrics_.messages_by_topic.with(topic_label(outcome)).add();
  if (outcome.classification.out_of_memory) metrics_.dfa_out_of_memory.add();
  chat.context = outcome.next;

  if (outcome.kind == engine::Outcome::Kind::kReply) {
    const queue::TranscriptLine bot_line{"bot", outcome.text, now};
    push_bounded(chat.recent, bot_line, o.transcript_lines);
    commit.added_recent.push_back(bot_line);
    commit.frame = proto::encode(
        proto::ReplyFrame{m.id, m.chat, outcome.text, std::move(outcome.intents), outcome.confidence});
    commit.type = "reply";
    // A bot reply changes no ticket: if the disk is full it still goes out
    // (not durable, so a resend after a crash may be answered anew).
    commit.must_be_durable = false;
    commit_answer(m, chat, std::move(commit), std::move(answer));
    return;
  }

  // Handoff: open a ticket with the chat's recent lines.
  const std::string reason(nlu::to_string(outcome.reason));
  queue_lock.lock();
  const std::string ticket_id = "T-" + std::to_string(queue_.next_number());
  std::vector<queue::TranscriptLine> transcript = chat.recent;
  transcript.push_back({"bot", outcome.text, now});
  const int priority = outcome.reason == nlu::HandoffReason::kComplaint ? 1 : 0;
  const queue::Ticket& ticket = queue_.open(ticket_id, m.chat, reason, priority, now, std::move(transcript));
  const int position = queue_.position(ticket_id);
  std::string text = outcome.text;
  const auto add = [&text](std::string part) {
    if (part.empty()) return;
    if (!text.empty()) text += '\n';
    text += part;
  };
  add(engine->queue_text(engine::Engine::QueueText::kPosition, position, outcome.mood, m.channel,
                         commit.before.replies));
  if (!open_now(engine->shop().business_hours, clock_.minute_of_day())) {
    add(engine->queue_text(engine::Engine::QueueText::kAfterHours, position, outcome.mood, m.channel,
                           commit.before.replies));
  }
  const queue::TranscriptLine bot_line{"bot", text, now};
  push_bounded(chat.recent, bot_line, o.transcript_lines);
  commit.added_recent.push_back(bot_line);
  commit.change.push_back(records::open(ticket));
  commit.frame = proto::encode(proto::HandoffFrame{m.id, m.chat, text, ticket_id, reason, position});
  commit.type = "handoff";
  proto::TicketView opened = view(ticket);
  opened.position = position;
  commit.on_durable = [this, reason, opened = std::move(opened)] {
    metrics_.handoffs_by_reason.with(reason).add();
    outbound_.to_agents(proto::encode_ticket_event("opened", opened));
  };
  commit.undo_queue = [this, ticket_id] {
    std::lock_guard q(queue_mutex_);
    queue_.resolve(ticket_id);
  };
  commit_answer(m, chat, std::move(commit), std::move(answer));
}

void ChatService::commit_answer(const proto::InboundMessage& m, ChatState& chat, Commit commit, Answer answer) {
  push_bounded(chat.answered, {m.id, commit.frame}, options().answered_window);
  if (!commit.answer_in_change) commit.change.push_back(records::answer(m.chat, m.id, commit.frame, chat.context));
  const std::vector<std::string> records = std::move(commit.change);
  commit.change.clear();
  journal_->append_all(records, [this, commit = std::move(commit), answer = std::move(answer), chat_id = m.chat,
                                 id = m.id](bool ok) {
    if (!ok) metrics_.journal_failures.add();
    if (ok || !commit.must_be_durable) {
      metrics_.answers_by_type.with(commit.type).add();
      if (commit.on_durable) commit.on_durable();  // first: whoever waits for the answer sees its effects
      answer(commit.frame);
      return;
    }
    // Not on disk (the change and its answer are written together or not
    // at all), so not acknowledged: undo it, as if the message was unseen.
    spdlog::error("journal write failed: {} for chat {} refused with 'unavailable'", commit.type, chat_id);
    {
      ChatTable::Shard& shard = chats_.shard_for(chat_id);
      std::lock_guard lock(shard.mutex);
      if (auto it = shard.chats.find(chat_id); it != shard.chats.end()) {
        ChatState& state = it->second;
        forget_answered(state, id);
        state.context = commit.before;
        for (const queue::TranscriptLine& line : commit.added_recent) {
          const auto found = std::find(state.recent.rbegin(), state.recent.rend(), line);
          if (found != state.recent.rend()) state.recent.erase(std::next(found).base());
        }
      }
    }
    if (commit.undo_queue) commit.undo_queue();
    answer(error_frame(id, ErrorCode::kUnavailable, std::string(kUnavailable)));
  });
}

proto::TicketView ChatService::view(const queue::Ticket& t) const {
  proto::TicketView v;
  v.id = t.id;
  v.chat = t.chat;
  v.reason = t.reason;
  v.state = t.state == queue::TicketState::kClaimed ? "claimed" : "waiting";
  v.agent = t.agent;
  v.priority = t.priority;
  v.opened_ms = t.opened_ms;
  for (const auto& line : t.transcript) v.transcript.push_back({line.from, line.text, line.ts_ms});
  return v;
}

std::vector<proto::TicketView> ChatService::tickets() {
  std::lock_guard lock(queue_mutex_);
  std::vector<proto::TicketView> out;
  int position = 0;
  for (const queue::Ticket* t : queue_.ordered()) {
    out.push_back(view(*t));
    if (t->state == queue::TicketState::kWaiting) out.back().position = ++position;
  }
  return out;
}

void ChatService::handle_agent(const proto::AgentCommand& command, const std::string& agent, Answer answer) {
  const auto fail = [&](ErrorCode code, std::string message) {
    answer(error_frame(command.request_id, code, std::move(message)));
  };
  if (command.op == proto::AgentOp::kList) {
    answer(proto::encode_queue(tickets()));
    return;
  }
  if (agent.empty()) {
    fail(ErrorCode::kBadRequest, "no agent name: connect with ?agent=NAME or send \"agent\"");
    return;
  }
  const std::int64_t now = clock_.now_ms();
  std::lock_guard lock(queue_mutex_);
  const queue::Ticket* ticket = queue_.find(command.ticket);
  if (ticket == nullptr) {
    fail(ErrorCode::kBadRequest, "no open ticket " + command.ticket);
    return;
  }
  const std::string chat = ticket->chat;
  const queue::Ticket snapshot = *ticket;  // to undo the change if the journal refuses it
  std::string record;
  std::string event;
  switch (command.op) {
    case proto::AgentOp::kClaim:
      if (!queue_.claim(command.ticket, agent)) {
        fail(ErrorCode::kBadRequest, "ticket " + command.ticket + " is already claimed by " + ticket->agent);
        return;
      }
      record = records::claim(command.ticket, agent);
      event = "claimed";
      break;
    case proto::AgentOp::kRelease:
      if (!queue_.release(command.ticket, agent)) {
        fail(ErrorCode::kBadRequest, "ticket " + command.ticket + " is not claimed by " + agent);
        return;
      }
      record = records::release(command.ticket, agent);
      event = "released";
      break;
    case proto::AgentOp::kSend:
      if (!queue_.record_agent_reply(command.ticket, agent, command.text, now)) {
        fail(ErrorCode::kBadRequest, "claim ticket " + command.ticket + " before sending");
        return;
      }
      record = records::agent_reply(command.ticket, agent, command.text, now);
      event = "updated";
      break;
    case proto::AgentOp::kResolve:
      if (ticket->state == queue::TicketState::kClaimed && ticket->agent != agent) {
        fail(ErrorCode::kBadRequest, "ticket " + command.ticket + " is claimed by " + ticket->agent);
        return;
      }
      record = records::resolve(command.ticket);
      event = "resolved";
      break;
    case proto::AgentOp::kList:
      return;
  }
  proto::TicketView after;
  if (command.op == proto::AgentOp::kResolve) {
    after = view(*ticket);
    after.state = "resolved";
    queue_.resolve(command.ticket);
  } else {
    after = view(*queue_.find(command.ticket));
    after.position = queue_.position(command.ticket);
  }
  append(std::move(record), [this, command, agent, chat, answer, event, after = std::move(after), snapshot](bool ok) {
    if (!ok) {
      // The journal refused: nothing was acknowledged; the ticket goes back
      // to how it was, and the agent retries.
      {
        std::lock_guard q(queue_mutex_);
        queue_.resolve(snapshot.id);
        queue_.restore(snapshot);
      }
      answer(error_frame(command.request_id, ErrorCode::kUnavailable, std::string(kUnavailable)));
      return;
    }
    // The buyer's frame and the agents' event before the ok: an agent that
    // has its ok knows the text is on its way.
    if (command.op == proto::AgentOp::kSend) {
      outbound_.to_gateway(chat, proto::encode(proto::AgentReplyFrame{chat, command.text, agent, command.ticket}));
    }
    if (command.op == proto::AgentOp::kResolve) outbound_.ticket_closed(chat);
    outbound_.to_agents(proto::encode_ticket_event(event, after));
    answer(proto::encode_agent_ok(command, &after));
  });
}

void ChatService::tick() {
  const std::int64_t now = clock_.now_ms();
  const ChatOptions o = options();
  send_notices(now);
  chats_.expire(now, o.expire_after_ms);
  compact_if_due();
}

void ChatService::send_notices(std::int64_t now) {
  const std::shared_ptr<const engine::Engine> engine = engines_.snapshot();
  std::lock_guard lock(queue_mutex_);
  for (const queue::Ticket* ticket : queue_.due_notices(now, options().notice_after_ms)) {
    // The ticket does not keep the channel or the mood yet: a complaint is
    // upset, and the default channel's cues are used.
    const reply::Mood mood = ticket->reason == nlu::to_string(nlu::HandoffReason::kComplaint) ? reply::Mood::kUpset
                                                                                               : reply::Mood::kCalm;
    const std::string text = engine->queue_text(engine::Engine::QueueText::kNotice, 0, mood, "default",
                                                static_cast<std::uint32_t>(ticket->number));
    const std::string id = ticket->id, chat = ticket->chat;
    queue_.mark_notice_sent(id);
    queue_.add_line(id, {"notice", text, now});
    // If the journal refuses, the notice is not sent; it stays marked sent
    // in memory (one courtesy text at most, never two).
    journal_->append_all({records::notice(id, now), records::line(id, {"notice", text, now})},
                         [this, id, chat, text](bool ok) {
                           if (!ok) metrics_.journal_failures.add();
                           if (ok && !text.empty()) {
                             outbound_.to_gateway(chat, proto::encode(proto::NoticeFrame{chat, text, id}));
                           }
                         });
  }
}

void ChatService::compact_if_due() {
  // One rewrite at a time: a large snapshot can take longer than a tick.
  if (journal_ == nullptr || compacting_.load(std::memory_order_acquire)) return;
  // After a failure, not at every tick: each attempt copies the live state
  // with the locks held.
  if (clock_.now_ms() < compaction_retry_at_ms_.load(std::memory_order_relaxed)) return;
  // Not before the log has grown by the live state's size again: a rewrite
  // then costs at most one byte per byte appended, however many tickets
  // are open.
  const queue::JournalStats stats = journal_->stats();
  const auto due_at = std::max(static_cast<std::uint64_t>(options().compact_after_bytes), stats.snapshot_bytes);
  if (stats.bytes_since_compaction < due_at) return;
  const auto started = std::chrono::steady_clock::now();
  // The live state, copied: the journal's helper thread turns it into
  // records while changes go on.
  struct Window {
    std::string chat;
    std::vector<std::pair<std::string, std::string>> answered;
    nlu::Context context;
  };
  struct State {
    std::vector<Window> windows;
    std::vector<queue::Ticket> tickets;
  };
  auto state = std::make_shared<State>();
  {
    // Every shard and the queue are held while the state is copied and the
    // compaction queued, so no change falls between the two.
    std::vector<std::unique_lock<std::mutex>> locks;
    for (ChatTable::Shard& shard : chats_.shards()) locks.emplace_back(shard.mutex);
    std::lock_guard queue_lock(queue_mutex_);
    std::size_t chats = 0;
    for (ChatTable::Shard& shard : chats_.shards()) chats += shard.chats.size();
    state->windows.reserve(chats);
    for (ChatTable::Shard& shard : chats_.shards()) {
      for (const auto& [chat_id, chat] : shard.chats) {
        if (!chat.answered.empty()) state->windows.push_back({chat_id, chat.answered, chat.context});
      }
    }
    for (const queue::Ticket* ticket : queue_.ordered()) state->tickets.push_back(*ticket);
    const auto paused = std::chrono::steady_clock::now() - started;
    compacting_.store(true, std::memory_order_release);
    journal_->compact(
        [state] {
          std::vector<std::string> snapshot;
          for (const Window& w : state->windows) {
            for (const auto& [id, frame] : w.answered) snapshot.push_back(records::answer(w.chat, id, frame, w.context));
          }
          for (const queue::Ticket& ticket : state->tickets) snapshot.push_back(records::open(ticket));
          return snapshot;
        },
        [this, started, paused](bool ok) { compacted(ok, started, paused); });
  }
}

void ChatService::compacted(bool ok, std::chrono::steady_clock::time_point started,
                            std::chrono::steady_clock::duration paused) {
  compacting_.store(false, std::memory_order_release);
  using std::chrono::milliseconds;
  const auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  if (!ok) {
    metrics_.compactions_failed.add();
    compaction_retry_at_ms_.store(clock_.now_ms() + kCompactionRetryMs, std::memory_order_relaxed);
    spdlog::warn("journal compaction failed after {} ms (disk full or I/O error?); the log keeps growing, retried "
                 "in {} s",
                 took.count(), kCompactionRetryMs / 1000);
    return;
  }
  metrics_.compactions_ok.add();
  spdlog::info("journal compacted to a {:.1f} MiB snapshot of the live state in {} ms (changes paused {} ms while "
               "it was taken)",
               static_cast<double>(journal_->stats().snapshot_bytes) / (1 << 20), took.count(),
               std::chrono::duration_cast<milliseconds>(paused).count());
}

std::size_t ChatService::queue_waiting() {
  std::lock_guard lock(queue_mutex_);
  return queue_.waiting();
}

double ChatService::oldest_waiting_seconds() {
  const std::int64_t now = clock_.now_ms();
  std::lock_guard lock(queue_mutex_);
  const auto oldest = queue_.oldest_waiting_ms();
  return oldest ? static_cast<double>(now - *oldest) / 1000.0 : 0.0;
}

}  // namespace xiaoer::chat
