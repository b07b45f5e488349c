// Time for protocol timers, shared by the SIP and ISUP stacks (DESIGN.md "Threads and event
// loops"): a TimerService gives the core thread's clock, one-shot timers and posted
// (non-re-entrant) work; `Timer` is the handle an object owns for each timer it runs
// (stopped when the owner goes away).
//
// Two implementations: AsioTimerService (steady_timer on the core io_context) for the
// running gateway, and ManualTimerService for tests, whose advance(ms) fires every due
// timer in deadline order (ties in start order) without sleeping.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

namespace asio {
class io_context;
}

namespace siptgw {

class TimerService {
 public:
  using Callback = std::function<void()>;
  using Id = uint64_t;  // never 0
  virtual ~TimerService() = default;
  virtual uint64_t nowMs() const = 0;
  // One-shot timer; the callback runs on the service's thread after `ms`.
  virtual Id start(uint32_t ms, Callback cb) = 0;
  // Harmless for an id that has fired or was cancelled.
  virtual void cancel(Id id) = 0;
  // Runs `cb` later on the same thread, never from inside this call.
  virtual void post(Callback cb) = 0;
};

// A timer owned by the object it times. Not movable: the service calls back into it.
class Timer {
 public:
  Timer() = default;
  explicit Timer(TimerService& s) : svc_(&s) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { stop(); }

  void bind(TimerService& s) { svc_ = &s; }
  // (Re)starts: a running timer is stopped first.
  void start(uint32_t ms, std::function<void()> cb);
  void stop();
  bool running() const { return id_ != 0; }

 private:
  void fire();
  TimerService* svc_ = nullptr;
  TimerService::Id id_ = 0;
  std::function<void()> cb_;
};

// Test clock: nothing happens until advance()/runUntilIdle().
class ManualTimerService final : public TimerService {
 public:
  uint64_t nowMs() const override { return now_; }
  Id start(uint32_t ms, Callback cb) override;
  void cancel(Id id) override;
  void post(Callback cb) override { start(0, std::move(cb)); }

  // Moves the clock forward by `ms`, firing due timers (and posted work) in order; each
  // callback sees nowMs() equal to its own deadline.
  void advance(uint64_t ms);
  // Runs posted work and zero-delay timers until none is left; the clock does not move.
  void runUntilIdle() { advance(0); }
  std::size_t pending() const { return queue_.size(); }
  uint64_t fired() const { return fired_; }
  // Deadline of the next timer, if any.
  std::optional<uint64_t> nextDeadline() const;

 private:
  uint64_t now_ = 0;
  Id next_ = 0;
  uint64_t fired_ = 0;
  std::map<std::pair<uint64_t, Id>, Callback> queue_;
  std::unordered_map<Id, uint64_t> due_;
};

// asio::steady_timer on the core io_context.
class AsioTimerService final : public TimerService {
 public:
  explicit AsioTimerService(asio::io_context& io);
  ~AsioTimerService() override;
  uint64_t nowMs() const override;
  Id start(uint32_t ms, Callback cb) override;
  void cancel(Id id) override;
  void post(Callback cb) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siptgw
