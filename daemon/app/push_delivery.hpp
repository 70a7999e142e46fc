// PushDelivery: the gateway's pushes (agent replies, notices) from their
// commit to a gateway's acknowledgement (issue 10).
//
// DESIGN
// Every push the store holds unacknowledged is held here too, until
//   - a gateway that said {"type":"hello","acks":true} acknowledges it, or
//   - it was written to a gateway that said no hello (that gateway gets
//     the first version's at-most-once: written is as good as acknowledged), or
//   - the store expires it (pushes.expire_after_s; counted).
// A push waits (no connection has it), is queued on a connection (handed
// to it, not yet written) or written to one (its acknowledgement awaited).
// A closing connection gives its pushes back (those dropped unwritten are
// reported by the session, those written and unacknowledged by the close):
// they wait for the next connection, and go again with their push_id.
//
// Pace: at most kWindow pushes queued on a connection; each one written
// lets the next go. So an outbox of any size is handed out as fast as the
// connection writes, and never trips its outbound limit (issue 10, defect 1).
//
// Order per chat: waiting pushes are handed out oldest first; a chat's push
// goes to the connection holding its earlier ones, else to the chat's route
// (the connection that carried its handoff), else to the first connection
// with room; a push that cannot go yet holds back the ones after it.
//
// A connection's mode is unknown until its first frame: pushes go out
// meanwhile, but a written one is held as if unacknowledged. Its first
// frame decides (hello with acks: acknowledgements; anything else: none),
// or kHelloGrace without any frame (none).
//
// Thread safety: all members may be called from any thread. Connections'
// send_tracked() is called under the lock (it only queues); their written
// callbacks run on their strands, never under it; the store is called
// outside it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/common/metrics.hpp"
#include "daemon/net/message_handler.hpp"
#include "daemon/proto/frames.hpp"
#include "daemon/store/store.hpp"

namespace xiaoer::app {

class PushDelivery {
 public:
  static constexpr std::size_t kWindow = 64;
  static constexpr std::chrono::seconds kHelloGrace{1};
  // The connection a chat's route leads to, 0 for none.
  using RouteOf = std::function<std::uint64_t(const std::string& chat)>;

  // Keeps references to both; they must outlive it.
  PushDelivery(store::Store& store, common::Metrics& metrics, RouteOf route_of);

  // Start-up: the pushes the store holds unacknowledged, in order.
  void restore();
  // Pushes to deliver from now on, in order (the store's at start-up, or
  // taken over from another daemon); one already held here is not taken twice.
  void take(std::vector<store::UnackedPush> pushes);
  // Whether a gateway connection is open here.
  bool has_gateway();
  // A push just committed (its push_id set by the store).
  void add(const std::string& chat, const proto::Push& push);

  void open(const std::shared_ptr<net::Connection>& gateway);
  // The connection's first frame: a hello (`acks` as it says) or any other
  // (acks=false). false when its mode was already decided.
  bool decide(std::uint64_t connection, bool acks);
  void ack(const std::vector<std::string>& push_ids);
  void close(std::uint64_t connection);
  // Expires what the store expires; decides the connections silent for
  // kHelloGrace.
  void tick(std::int64_t now_ms, std::int64_t expire_after_ms);

  // Pushes no connection has.
  std::size_t waiting();
  // Pushes held (waiting, queued or written, not acknowledged).
  std::size_t held();

 private:
  enum class Mode { kUnknown, kPlain, kAcks };
  struct Item {
    std::string push_id, chat, frame;
    std::uint64_t connection = 0;  // 0: waiting
    bool written = false;
    bool handed_before = false;
  };
  struct Gateway {
    std::weak_ptr<net::Connection> connection;
    Mode mode = Mode::kUnknown;
    std::chrono::steady_clock::time_point opened;
    std::size_t queued = 0;        // handed, written callback not yet run
    bool closing = false;          // dropped a push: gets no more
    std::set<std::uint64_t> held;  // items queued or written here
  };
  struct Holder {
    std::uint64_t connection = 0;
    std::size_t items = 0;
  };

  // mutex_ held by all of these.
  void hold(std::string push_id, std::string chat, std::string frame);
  void pump();
  Gateway* target_for(const std::string& chat, std::uint64_t* id);
  void hand(std::uint64_t seq, Item& item, std::uint64_t id, Gateway& gateway);
  void give_back(std::uint64_t seq, Item& item);  // to waiting
  void forget(std::uint64_t seq);                  // acknowledged or expired
  void let_go(Item& item, std::uint64_t seq);      // off its connection
  // The written callback of a push handed to `connection`.
  void written(std::uint64_t connection, std::uint64_t seq, bool ok);

  store::Store& store_;
  common::Metrics& metrics_;
  RouteOf route_of_;

  std::mutex mutex_;
  std::uint64_t next_seq_ = 0;
  std::map<std::uint64_t, Item> items_;                    // by arrival: commit order
  std::unordered_map<std::string, std::uint64_t> seq_of_;  // push_id → items_ key
  std::set<std::uint64_t> waiting_;
  std::unordered_map<std::uint64_t, Gateway> gateways_;    // by connection id
  std::unordered_map<std::string, Holder> holders_;        // chat → connection holding its pushes
};

}  // namespace xiaoer::app
