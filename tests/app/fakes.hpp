// Fakes for the app layer's tests: a connection whose writes the test
// completes by hand, and a store that holds only pushes.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/net/message_handler.hpp"
#include "daemon/store/store.hpp"

namespace xiaoer::app::fakes {

// A connection whose writes the test completes by hand.
class FakeConnection final : public net::Connection {
 public:
  explicit FakeConnection(std::uint64_t id, net::Role role = net::Role::kGateway, std::string name = "")
      : identity_{role, std::move(name), false, false}, id_(id) {}
  void send(std::string frame) override { untracked.push_back(std::move(frame)); }
  void send_tracked(std::string frame, Written written) override {
    queued.push_back({std::move(frame), std::move(written)});
  }
  void close() override {}
  std::uint64_t id() const override { return id_; }
  net::Role role() const override { return identity_.role; }
  const net::Identity& identity() const override { return identity_; }

  // Completes the oldest queued write; returns its frame.
  std::string write_one(bool ok = true) {
    auto [frame, written] = std::move(queued.front());
    queued.pop_front();
    written(ok);
    return frame;
  }
  // Writes everything, including what each write lets go; the frames.
  std::vector<std::string> write_all() {
    std::vector<std::string> out;
    while (!queued.empty()) out.push_back(write_one());
    return out;
  }

  std::deque<std::pair<std::string, Written>> queued;
  std::vector<std::string> untracked;

 private:
  net::Identity identity_;
  std::uint64_t id_;
};

// Only what PushDelivery uses: the pushes and their acknowledgements.
class FakeStore final : public store::Store {
 public:
  void load(const std::string&, Loaded) override {}
  void load_ticket(const std::string&, Loaded) override {}
  void commit(chat::Effect, Committed) override {}
  void commit_stock(catalogue::StockUpdate, StockCommitted) override {}
  std::shared_ptr<const catalogue::LiveStock> live_stock() override { return nullptr; }
  std::vector<Listed> tickets() override { return {}; }
  std::vector<queue::ResolvedTicket> resolved(std::string_view, std::int64_t, std::size_t) override { return {}; }
  std::vector<std::string> chats_due_notice(std::int64_t, std::int64_t) override { return {}; }
  void tick(std::int64_t, std::int64_t) override {}
  std::vector<store::UnackedPush> unacked_pushes() override { return kept; }
  void ack_pushes(const std::vector<std::string>& ids) override { acked.insert(acked.end(), ids.begin(), ids.end()); }
  std::vector<std::string> expire_pushes(std::int64_t, std::int64_t) override { return std::exchange(expiring, {}); }
  std::size_t chats() override { return 0; }
  std::size_t queue_waiting() override { return 0; }
  std::optional<std::int64_t> oldest_waiting_ms() override { return std::nullopt; }
  std::map<std::string, int> held_by_agent() override { return {}; }

  std::vector<store::UnackedPush> kept;
  std::vector<std::string> acked;
  std::vector<std::string> expiring;
};

}  // namespace xiaoer::app::fakes
