#include "daemon/app/push_delivery.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "daemon/proto/codec.hpp"

namespace xiaoer::app {

PushDelivery::PushDelivery(store::Store& store, common::Metrics& metrics, RouteOf route_of)
    : store_(store), metrics_(metrics), route_of_(std::move(route_of)) {}

void PushDelivery::restore() {
  std::vector<store::UnackedPush> kept = store_.unacked_pushes();
  if (!kept.empty()) spdlog::info("{} pushes not acknowledged wait for a gateway", kept.size());
  take(std::move(kept));
}

void PushDelivery::take(std::vector<store::UnackedPush> pushes) {
  std::lock_guard lock(mutex_);
  for (store::UnackedPush& push : pushes) hold(std::move(push.push_id), std::move(push.chat), std::move(push.frame));
  pump();
}

bool PushDelivery::has_gateway() {
  std::lock_guard lock(mutex_);
  return !gateways_.empty();
}

void PushDelivery::add(const std::string& chat, const proto::Push& push) {
  std::lock_guard lock(mutex_);
  hold(proto::push_id(push), chat, proto::encode(push));
  pump();
}

void PushDelivery::hold(std::string push_id, std::string chat, std::string frame) {
  if (!push_id.empty() && seq_of_.contains(push_id)) return;
  const std::uint64_t seq = ++next_seq_;
  if (!push_id.empty()) seq_of_[push_id] = seq;
  items_.emplace(seq, Item{std::move(push_id), std::move(chat), std::move(frame)});
  waiting_.insert(seq);
}

void PushDelivery::open(const std::shared_ptr<net::Connection>& gateway) {
  std::lock_guard lock(mutex_);
  Gateway& g = gateways_[gateway->id()];
  g.connection = gateway;
  g.opened = std::chrono::steady_clock::now();
  pump();
}

bool PushDelivery::decide(std::uint64_t connection, bool acks) {
  std::vector<std::string> done;  // written to a gateway without acknowledgements
  {
    std::lock_guard lock(mutex_);
    const auto it = gateways_.find(connection);
    if (it == gateways_.end() || it->second.mode != Mode::kUnknown) return false;
    Gateway& g = it->second;
    g.mode = acks ? Mode::kAcks : Mode::kPlain;
    if (!acks) {
      for (const std::uint64_t seq : std::set<std::uint64_t>(g.held)) {
        if (items_.at(seq).written) {
          done.push_back(items_.at(seq).push_id);
          forget(seq);
        }
      }
    }
    pump();
  }
  if (!done.empty()) store_.ack_pushes(done);
  return true;
}

void PushDelivery::ack(const std::vector<std::string>& push_ids) {
  {
    std::lock_guard lock(mutex_);
    for (const std::string& id : push_ids) {
      if (const auto it = seq_of_.find(id); it != seq_of_.end()) forget(it->second);
    }
    pump();
  }
  store_.ack_pushes(push_ids);
}

void PushDelivery::close(std::uint64_t connection) {
  std::lock_guard lock(mutex_);
  const auto it = gateways_.find(connection);
  if (it == gateways_.end()) return;
  const std::set<std::uint64_t> held = std::move(it->second.held);
  gateways_.erase(it);
  for (const std::uint64_t seq : held) give_back(seq, items_.at(seq));
  pump();
}

void PushDelivery::tick(std::int64_t now_ms, std::int64_t expire_after_ms) {
  const std::vector<std::string> expired = store_.expire_pushes(now_ms, expire_after_ms);
  std::vector<std::string> done;
  {
    std::lock_guard lock(mutex_);
    for (const std::string& id : expired) {
      if (const auto it = seq_of_.find(id); it != seq_of_.end()) forget(it->second);
    }
    const auto silent_since = std::chrono::steady_clock::now() - kHelloGrace;
    for (auto& [id, g] : gateways_) {
      if (g.mode != Mode::kUnknown || g.opened > silent_since) continue;
      g.mode = Mode::kPlain;
      for (const std::uint64_t seq : std::set<std::uint64_t>(g.held)) {
        if (items_.at(seq).written) {
          done.push_back(items_.at(seq).push_id);
          forget(seq);
        }
      }
    }
    pump();
  }
  if (!expired.empty()) {
    metrics_.pushes_expired.add(expired.size());
    spdlog::warn("{} pushes expired unacknowledged (pushes.expire_after_s); they stay in their tickets' transcripts",
                 expired.size());
  }
  if (!done.empty()) store_.ack_pushes(done);
}

std::size_t PushDelivery::waiting() {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

std::size_t PushDelivery::held() {
  std::lock_guard lock(mutex_);
  return items_.size();
}

void PushDelivery::pump() {
  while (!waiting_.empty()) {
    const std::uint64_t seq = *waiting_.begin();
    Item& item = items_.at(seq);
    std::uint64_t id = 0;
    Gateway* target = target_for(item.chat, &id);
    if (target == nullptr || target->queued >= kWindow) return;  // the oldest holds back the rest
    const std::shared_ptr<net::Connection> connection = target->connection.lock();
    if (!connection) return;  // closing: its close gives everything back
    waiting_.erase(waiting_.begin());
    hand(seq, item, id, *target);
    connection->send_tracked(item.frame, [this, id, seq](bool ok) { written(id, seq, ok); });
  }
}

PushDelivery::Gateway* PushDelivery::target_for(const std::string& chat, std::uint64_t* id) {
  if (const auto holder = holders_.find(chat); holder != holders_.end()) {
    *id = holder->second.connection;
    Gateway& g = gateways_.at(*id);
    return g.closing ? nullptr : &g;  // a chat's later push waits for its earlier ones
  }
  if (const std::uint64_t route = route_of_(chat); route != 0) {
    if (const auto it = gateways_.find(route); it != gateways_.end() && !it->second.closing) {
      *id = route;
      return &it->second;
    }
  }
  for (auto& [gateway_id, g] : gateways_) {
    if (g.queued < kWindow && !g.closing) {
      *id = gateway_id;
      return &g;
    }
  }
  return nullptr;
}

void PushDelivery::hand(std::uint64_t seq, Item& item, std::uint64_t id, Gateway& gateway) {
  if (item.handed_before) metrics_.pushes_redelivered.add();
  item.handed_before = true;
  item.connection = id;
  item.written = false;
  ++gateway.queued;
  gateway.held.insert(seq);
  Holder& holder = holders_[item.chat];
  holder.connection = id;
  ++holder.items;
}

void PushDelivery::let_go(Item& item, std::uint64_t seq) {
  if (item.connection == 0) return;
  if (const auto g = gateways_.find(item.connection); g != gateways_.end()) g->second.held.erase(seq);
  if (const auto holder = holders_.find(item.chat); holder != holders_.end() && --holder->second.items == 0) {
    holders_.erase(holder);
  }
  item.connection = 0;
  item.written = false;
}

void PushDelivery::give_back(std::uint64_t seq, Item& item) {
  let_go(item, seq);
  waiting_.insert(seq);
}

void PushDelivery::forget(std::uint64_t seq) {
  const auto it = items_.find(seq);
  if (it == items_.end()) return;
  let_go(it->second, seq);
  waiting_.erase(seq);
  seq_of_.erase(it->second.push_id);
  items_.erase(it);
}

void PushDelivery::written(std::uint64_t connection, std::uint64_t seq, bool ok) {
  std::vector<std::string> done;
  {
    std::lock_guard lock(mutex_);
    const auto g = gateways_.find(connection);
    if (g != gateways_.end()) --g->second.queued;
    const auto it = items_.find(seq);
    // Acknowledged, expired or given back (its connection closed) meanwhile.
    if (it == items_.end() || it->second.connection != connection || it->second.written) {
      pump();
      return;
    }
    if (!ok) {
      // Only a closing connection drops a frame: none go to it any more
      // (its close gives back the rest).
      if (g != gateways_.end()) g->second.closing = true;
      give_back(seq, it->second);
    } else if (g != gateways_.end() && g->second.mode == Mode::kPlain) {
      done.push_back(it->second.push_id);
      forget(seq);
    } else {
      it->second.written = true;
    }
    pump();
  }
  if (!done.empty()) store_.ack_pushes(done);
}

}  // namespace xiaoer::app
