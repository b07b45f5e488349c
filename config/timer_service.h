// Time for protocol timers, shared by the SIP and ISUP stacks (DESIGN.md "Threads and event
// loops"): a TimerService gives the core thread's clock, one-shot timers and posted
// (non-re-entrant) work; `Timer` is the handle an object owns for each timer it runs
// (stopped when the owner goes away).
//
// Two implementations on one TimerQueue (an indexed min-heap): AsioTimerService for the
// running gateway, whose queue is driven by a single asio::steady_timer on the core
// io_context, and ManualTimerService for tests, whose advance(ms) fires every due timer in
// deadline order (ties in start order) without sleeping.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

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
  // True while the timer has neither fired (its callback has been taken) nor been cancelled.
  virtual bool pending(Id id) const = 0;
  // Runs `cb` later on the same thread, never from inside this call.
  virtual void post(Callback cb) = 0;
};

// Pending one-shot timers ordered by (deadline, start order): O(log n) start and cancel,
// no per-timer allocation once warm (slots and heap are reused). An id names a slot and
// its generation, so a stale id (fired or cancelled) never cancels the slot's next user.
// Posted work (pushPosted: due "now", never cancelled) waits in a FIFO beside the heap, in
// the same (deadline, start order): it would otherwise sift to the top of the heap and
// back down, the dearest heap operations, for the commonest kind of entry.
class TimerQueue {
 public:
  using Callback = std::function<void()>;
  using Id = uint64_t;  // never 0

  Id push(uint64_t due, Callback cb);
  // `due` must not be below the due of work posted before (the clock does not go back).
  void pushPosted(uint64_t due, Callback cb);
  // False when the id is not pending (fired, cancelled or unknown).
  bool cancel(Id id);
  bool pending(Id id) const;
  bool empty() const { return heap_.empty() && postedCount_ == 0; }
  std::size_t size() const { return heap_.size() + postedCount_; }
  // Deadline and start number of the earliest entry; the queue must not be empty.
  uint64_t nextDue() const { return postedFirst() ? posted_[postedHead_].due : heap_.front().due; }
  uint64_t nextSeq() const { return postedFirst() ? posted_[postedHead_].seq : heap_.front().seq; }
  // Start number the next push() gets.
  uint64_t seqCounter() const { return seq_; }
  // Removes the earliest entry and returns its callback (the queue must not be empty).
  Callback pop();

 private:
  struct Posted {
    uint64_t due = 0;
    uint64_t seq = 0;
    Callback cb;
  };
  bool postedFirst() const {
    if (postedCount_ == 0) return false;
    if (heap_.empty()) return true;
    const Posted& p = posted_[postedHead_];
    const auto& h = heap_.front();
    return p.due != h.due ? p.due < h.due : p.seq < h.seq;
  }

  struct Item {
    uint64_t due;
    uint64_t seq;
    uint32_t slot;
  };
  struct Slot {
    Callback cb;
    uint32_t gen = 0;
    uint32_t pos = 0;  // index in heap_ while pending
  };
  // A 4-ary heap: half the levels of a binary one, so starting or cancelling one of the
  // tens of thousands of pending protocol timers moves fewer entries.
  static constexpr std::size_t kArity = 4;
  static bool before(const Item& a, const Item& b) {
    return a.due != b.due ? a.due < b.due : a.seq < b.seq;
  }
  void place(std::size_t i, const Item& it) {
    heap_[i] = it;
    slots_[it.slot].pos = static_cast<uint32_t>(i);
  }
  void siftUp(std::size_t i);
  void siftDown(std::size_t i);
  void removeAt(std::size_t i);

  std::vector<Item> heap_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  std::vector<Posted> posted_;  // ring, grown only when full
  std::size_t postedHead_ = 0, postedCount_ = 0;
  uint64_t seq_ = 0;
};

// A timer owned by the object it times: the service's id of its pending callback (the
// callback itself waits in the service's queue, so a Timer is two words). Not copyable.
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
  // False once the callback has been taken to run (so also inside it) or after stop().
  bool running() const { return id_ != 0 && svc_ && svc_->pending(id_); }

 private:
  TimerService* svc_ = nullptr;
  TimerService::Id id_ = 0;
};

// Test clock: nothing happens until advance()/runUntilIdle().
class ManualTimerService final : public TimerService {
 public:
  uint64_t nowMs() const override { return now_; }
  Id start(uint32_t ms, Callback cb) override;
  void cancel(Id id) override;
  bool pending(Id id) const override { return queue_.pending(id); }
  void post(Callback cb) override { queue_.pushPosted(now_, std::move(cb)); }

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
  uint64_t fired_ = 0;
  TimerQueue queue_;
};

// One asio::steady_timer on the core io_context, armed for the earliest pending deadline
// rounded up to `resolutionMs`: starting or cancelling a timer is a heap operation, not a
// reactor (timerfd) update, and timers due within one resolution step fire in one wake-up,
// still in deadline order. Zero-delay timers and post() run from one posted handler.
class AsioTimerService final : public TimerService {
 public:
  // Protocol timers (SIP T1 = 500 ms, ISUP seconds) tolerate firing a few ms late.
  static constexpr uint32_t kDefaultResolutionMs = 8;
  explicit AsioTimerService(asio::io_context& io, uint32_t resolutionMs = kDefaultResolutionMs);
  ~AsioTimerService() override;
  uint64_t nowMs() const override;
  Id start(uint32_t ms, Callback cb) override;
  void cancel(Id id) override;
  bool pending(Id id) const override;
  void post(Callback cb) override;
  std::size_t pending() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // posted handlers hold a weak_ptr to it
};

}  // namespace siptgw
