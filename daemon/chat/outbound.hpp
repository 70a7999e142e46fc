// Where the chat service sends what is not an answer: frames for a buyer's
// chat that arrive later (agent_reply, notice), and live ticket events for
// the agents. Implemented by the app over the network sessions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "daemon/proto/frames.hpp"

namespace xiaoer::chat {

class Outbound {
 public:
  virtual ~Outbound() = default;
  // A push for the gateway connection that carries `chat`.
  virtual void to_gateway(const std::string& chat, proto::Push push) = 0;
  // An event for every connected agent, about ticket `ticket_id`. `shown`
  // builds what they see (the whole ticket, decorated with its deadline and
  // the bot's draft, which costs a match): called only if an agent is
  // connected, at most once, before to_agents returns.
  virtual void to_agents(proto::TicketEventKind kind, const std::string& ticket_id,
                         const std::function<proto::TicketView()>& shown) = 0;
  // `chat`'s ticket is resolved: nothing more is pushed for it until it is
  // handed off again, so its route to a gateway connection may be dropped.
  virtual void ticket_closed(const std::string& chat) = 0;
};

// Wall-clock time for the chat service; a test sets it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() const = 0;
  // Minutes after local midnight, for business hours.
  virtual int minute_of_day() const = 0;
  // When today began, local time, in ms since the epoch (the day of the
  // supervisor's "SLA breaches today").
  virtual std::int64_t day_start_ms() const {
    const std::int64_t now = now_ms();
    return now - now % 60'000 - std::int64_t{minute_of_day()} * 60'000;
  }
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override;
  int minute_of_day() const override;
  std::int64_t day_start_ms() const override;
};

}  // namespace xiaoer::chat
