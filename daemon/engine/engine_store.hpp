// EngineStore: the engine in service, swapped whole on reload.
//
// DESIGN
// A reload builds a new Engine aside (on the reload thread, never an I/O
// thread) and, only if it built without errors, publishes it with one
// atomic store. Each message takes one snapshot and is answered entirely by
// it, so no message ever sees half of an old set and half of a new one; the
// old engine is freed when its last reader lets go.
//
// Thread safety: all members may be called from any thread.
#pragma once

#include <atomic>
#include <memory>

#include "daemon/engine/engine.hpp"

namespace xiaoer::engine {

class EngineStore {
 public:
  explicit EngineStore(std::shared_ptr<const Engine> initial) : current_(std::move(initial)) {}

  std::shared_ptr<const Engine> snapshot() const { return current_.load(std::memory_order_acquire); }
  void publish(std::shared_ptr<const Engine> next) { current_.store(std::move(next), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const Engine>> current_;
};

}  // namespace xiaoer::engine
