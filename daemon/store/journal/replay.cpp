// JournalStore::replay: the tables rebuilt from the journal's records.
#include <optional>
#include <variant>

#include "daemon/proto/codec.hpp"
#include "daemon/store/journal/journal_store.hpp"
#include "daemon/store/journal/records.hpp"
#include "daemon/store/journal/stock_record.hpp"

namespace xiaoer::store {

void JournalStore::restore_lost_opening(const std::string& chat, const proto::Answer& answer) {
  // A commit's `open` record comes just before its `answer`, in the same
  // write: a handoff answer right after a damaged line, whose ticket is not
  // open, lost its `open` record. (A compaction's copy of the window may
  // name a ticket long resolved: the caller never passes those.)
  const auto* handoff = std::get_if<proto::HandoffFrame>(&answer);
  if (handoff == nullptr) return;
  std::lock_guard lock(queue_mutex_);
  if (queue_.find(handoff->ticket) != nullptr || queue_.find_by_chat(chat) != nullptr) return;
  queue::Ticket ticket;
  ticket.id = handoff->ticket;
  ticket.number = queue::ticket_number(ticket.id);
  ticket.chat = chat;
  ticket.reason = handoff->reason;
  ticket.priority = handoff->reason == "complaint" ? 1 : 0;
  ticket.opened_ms = clock_.now_ms();
  ticket.transcript.push_back({"bot", handoff->text, ticket.opened_ms});
  queue_.put(std::move(ticket));
  metrics_.tickets_restored.add();
}

bool JournalStore::replay(std::string_view payload, std::string* error, bool follows_damage) {
  if (records::is_stock(payload)) return replay_stock(payload, error);
  const auto record = records::parse(payload, error);
  if (!record) return false;
  const records::Record& r = *record;
  const auto window = static_cast<std::size_t>(answered_window_.load(std::memory_order_relaxed));
  // A chat's answered window gets `answer`; and its version moves, as at a commit.
  const auto answered = [&](const proto::Answer& answer, const nlu::Context* context) {
    ChatTable::Shard& shard = chats_.shard_for(r.chat);
    std::lock_guard lock(shard.mutex);
    ChatEntry& entry = shard.chats[r.chat];
    chat::push_bounded(entry.state.answered, chat::make_answered(r.id, answer), window);
    if (context != nullptr) entry.state.context = *context;
    entry.state.last_seen_ms = clock_.now_ms();
    entry.version = ++sequence_;
  };
  if (r.type == "answer") {
    const std::optional<proto::Answer> answer = proto::decode_answer(r.frame);
    if (!answer) {
      *error = "record 'answer' for chat " + r.chat + " holds no reply, handoff or hold frame";
      return false;
    }
    answered(*answer, &r.context);
    if (follows_damage && !r.window_copy) restore_lost_opening(r.chat, *answer);
    return true;
  }
  if (r.type == "resend") return true;
  if (r.type == "push") {
    pushes_.add({r.id, r.chat, r.frame, r.ts});
    return true;
  }
  if (r.type == "ack") {
    pushes_.remove(r.ids);
    return true;
  }
  if (r.type == "push_seq") {
    pushes_.note_issued(r.n);
    return true;
  }
  if (r.type == "hold") {
    {
      std::lock_guard lock(queue_mutex_);
      if (!queue_.add_line(r.ticket, {"buyer", r.text, r.ts})) {
        *error = "record 'hold' for unknown ticket " + r.ticket;
        return false;
      }
    }
    answered(proto::HoldFrame{r.id, r.chat, r.ticket}, nullptr);
    return true;
  }
  std::lock_guard lock(queue_mutex_);
  if (r.type == "done") {
    history_.add(r.full, r.resolved_ts);
    return true;
  }
  if (r.type == "open") {
    if (queue_.find(r.ticket) != nullptr || queue_.find_by_chat(r.chat) != nullptr) {
      *error = "ticket " + r.ticket + " opened twice";
      return false;
    }
    queue_.put(r.full);
    return true;
  }
  if (queue_.find(r.ticket) == nullptr) {
    *error = "record '" + r.type + "' for unknown ticket " + r.ticket;
    return false;
  }
  // A record that the rules refuse now was accepted when written (the
  // same rules): applied as far as they allow, as before.
  if (r.type == "line") {
    queue_.add_line(r.ticket, {r.from, r.text, r.ts, r.agent});
  } else if (r.type == "claim") {
    queue_.claim(r.ticket, r.agent);
  } else if (r.type == "release") {
    queue_.release(r.ticket, r.agent);
  } else if (r.type == "agent_reply") {
    queue_.record_agent_reply(r.ticket, r.agent, r.text, r.ts);
  } else if (r.type == "resolve") {
    // A record written before it kept the time: the ticket's last line
    // stands for it.
    if (std::optional<queue::Ticket> done = queue_.resolve(r.ticket)) {
      const std::int64_t last = done->transcript.empty() ? done->opened_ms : done->transcript.back().ts_ms;
      const std::int64_t at = r.ts != 0 ? r.ts : last;
      history_.add(std::move(*done), at);
    }
  } else if (r.type == "notice") {
    queue_.mark_notice_sent(r.ticket);
  }
  return true;
}

}  // namespace xiaoer::store
