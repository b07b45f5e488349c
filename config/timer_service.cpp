#include "config/timer_service.h"

#include <cassert>
#include <chrono>
#include <limits>

#include <asio.hpp>

namespace siptgw {

// ------------------------------------------------------------------------- TimerQueue

TimerQueue::Id TimerQueue::push(uint64_t due, Callback cb) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.cb = std::move(cb);
  heap_.push_back(Item{due, seq_++, slot});
  s.pos = static_cast<uint32_t>(heap_.size() - 1);
  siftUp(heap_.size() - 1);
  return (static_cast<uint64_t>(s.gen) << 32) | (static_cast<uint64_t>(slot) + 1);
}

void TimerQueue::pushPosted(uint64_t due, Callback cb) {
  if (postedCount_ == posted_.size()) {  // full: unroll into a larger ring, oldest first
    std::vector<Posted> bigger(posted_.empty() ? 64 : posted_.size() * 2);
    for (std::size_t i = 0; i < postedCount_; ++i)
      bigger[i] = std::move(posted_[(postedHead_ + i) % posted_.size()]);
    posted_ = std::move(bigger);
    postedHead_ = 0;
  }
  Posted& p = posted_[(postedHead_ + postedCount_) % posted_.size()];
  p.due = due;
  p.seq = seq_++;
  p.cb = std::move(cb);
  ++postedCount_;
}

bool TimerQueue::pending(Id id) const {
  const uint64_t low = id & 0xffffffffu;
  if (low == 0 || low > slots_.size()) return false;
  const auto slot = static_cast<uint32_t>(low - 1);
  const Slot& s = slots_[slot];
  return s.gen == static_cast<uint32_t>(id >> 32) && s.pos < heap_.size() && heap_[s.pos].slot == slot;
}

bool TimerQueue::cancel(Id id) {
  if (!pending(id)) return false;
  Slot& s = slots_[static_cast<uint32_t>((id & 0xffffffffu) - 1)];
  // Destroy the callback only after the queue is consistent: its captures may cancel too.
  Callback dead = std::move(s.cb);
  removeAt(s.pos);
  return true;
}

TimerQueue::Callback TimerQueue::pop() {
  assert(!empty());
  if (postedFirst()) {
    Callback cb = std::move(posted_[postedHead_].cb);
    postedHead_ = (postedHead_ + 1) % posted_.size();
    --postedCount_;
    return cb;
  }
  Callback cb = std::move(slots_[heap_.front().slot].cb);
  removeAt(0);
  return cb;
}

void TimerQueue::removeAt(std::size_t i) {
  const uint32_t slot = heap_[i].slot;
  Slot& s = slots_[slot];
  s.cb = nullptr;
  ++s.gen;
  s.pos = std::numeric_limits<uint32_t>::max();
  free_.push_back(slot);
  const Item last = heap_.back();
  heap_.pop_back();
  if (i == heap_.size()) return;
  place(i, last);
  if (i > 0 && before(last, heap_[(i - 1) / kArity])) {
    siftUp(i);
  } else {
    siftDown(i);
  }
}

void TimerQueue::siftUp(std::size_t i) {
  const Item it = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (!before(it, heap_[parent])) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, it);
}

void TimerQueue::siftDown(std::size_t i) {
  const Item it = heap_[i];
  const std::size_t n = heap_.size();
  for (;;) {
    const std::size_t first = kArity * i + 1;
    if (first >= n) break;
    std::size_t child = first;
    const std::size_t end = first + kArity < n ? first + kArity : n;
    for (std::size_t k = first + 1; k < end; ++k)
      if (before(heap_[k], heap_[child])) child = k;
    if (!before(heap_[child], it)) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, it);
}

// ------------------------------------------------------------------------------ Timer

// The callback goes straight into the service's queue, which moves it out before running
// it: it may restart this timer or destroy its owner (and so this Timer).
void Timer::start(uint32_t ms, std::function<void()> cb) {
  assert(svc_);
  stop();
  id_ = svc_->start(ms, std::move(cb));
}

void Timer::stop() {
  if (id_ != 0 && svc_) svc_->cancel(id_);  // harmless when it has fired
  id_ = 0;
}

// ------------------------------------------------------------------ ManualTimerService

TimerService::Id ManualTimerService::start(uint32_t ms, Callback cb) {
  return queue_.push(now_ + ms, std::move(cb));
}

void ManualTimerService::cancel(Id id) {
  queue_.cancel(id);
}

void ManualTimerService::advance(uint64_t ms) {
  const uint64_t target = now_ + ms;
  while (!queue_.empty() && queue_.nextDue() <= target) {
    now_ = queue_.nextDue();
    Callback cb = queue_.pop();
    ++fired_;
    cb();
  }
  now_ = target;
}

std::optional<uint64_t> ManualTimerService::nextDeadline() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.nextDue();
}

// -------------------------------------------------------------------- AsioTimerService

struct AsioTimerService::Impl : std::enable_shared_from_this<AsioTimerService::Impl> {
  static constexpr uint64_t kUnarmed = std::numeric_limits<uint64_t>::max();

  Impl(asio::io_context& i, uint32_t res) : io(i), timer(i), resolution(res == 0 ? 1 : res) {}

  asio::io_context& io;
  asio::steady_timer timer;
  uint64_t resolution;
  TimerQueue queue;
  uint64_t armedFor = kUnarmed;  // ms the steady_timer waits for
  bool runPosted = false;

  static uint64_t now() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }

  // Makes sure something wakes us by `due`: a posted run when it is already due, else the
  // steady_timer, re-armed only when it would wake too late (an early wake-up just re-arms).
  void schedule(uint64_t due, uint64_t nowMs) {
    if (due <= nowMs) {
      if (runPosted) return;
      runPosted = true;
      asio::post(io, [w = weak_from_this()] {
        if (auto self = w.lock()) {
          self->runPosted = false;
          self->run();
        }
      });
      return;
    }
    const uint64_t wake = (due + resolution - 1) / resolution * resolution;
    if (armedFor <= wake) return;
    armedFor = wake;
    timer.expires_at(std::chrono::steady_clock::time_point(std::chrono::milliseconds(wake)));
    timer.async_wait([w = weak_from_this()](const asio::error_code& ec) {
      if (ec) return;  // re-armed or destroyed
      if (auto self = w.lock()) {
        self->armedFor = kUnarmed;
        self->run();
      }
    });
  }

  // Fires every timer due now, in deadline order. Work started from a callback with zero
  // delay runs in a later turn of the io_context, so a callback that re-posts itself
  // cannot starve socket I/O.
  // The clock is read again only when the next entry is not yet due by the last reading.
  void run() {
    const uint64_t limit = queue.seqCounter();
    uint64_t nowMs = now();
    while (!queue.empty() && queue.nextSeq() < limit) {
      if (queue.nextDue() > nowMs) {
        nowMs = now();
        if (queue.nextDue() > nowMs) break;
      }
      Callback cb = queue.pop();
      cb();
    }
    if (queue.empty()) {
      if (armedFor != kUnarmed) {
        timer.cancel();
        armedFor = kUnarmed;
      }
      return;
    }
    if (queue.nextDue() > nowMs) nowMs = now();  // work started late in this run may be due
    schedule(queue.nextDue(), nowMs);
  }
};

AsioTimerService::AsioTimerService(asio::io_context& io, uint32_t resolutionMs)
    : impl_(std::make_shared<Impl>(io, resolutionMs)) {}

AsioTimerService::~AsioTimerService() {
  impl_->timer.cancel();
}

uint64_t AsioTimerService::nowMs() const {
  return Impl::now();
}

TimerService::Id AsioTimerService::start(uint32_t ms, Callback cb) {
  const auto ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::steady_clock::now().time_since_epoch())
                                            .count());
  const uint64_t nowMs = ns / 1000000;
  // Never early: counted from the next whole millisecond (zero delay: due at once).
  const uint64_t due = ms == 0 ? nowMs : (ns + 999999) / 1000000 + ms;
  const Id id = impl_->queue.push(due, std::move(cb));
  impl_->schedule(due, nowMs);
  return id;
}

void AsioTimerService::cancel(Id id) {
  if (!impl_->queue.cancel(id)) return;
  // Nothing left: let io_context::run() return instead of waiting for a stale deadline.
  if (impl_->queue.empty() && impl_->armedFor != Impl::kUnarmed) {
    impl_->timer.cancel();
    impl_->armedFor = Impl::kUnarmed;
  }
}

bool AsioTimerService::pending(Id id) const { return impl_->queue.pending(id); }

void AsioTimerService::post(Callback cb) {
  const uint64_t nowMs = Impl::now();
  impl_->queue.pushPosted(nowMs, std::move(cb));
  impl_->schedule(nowMs, nowMs);
}

std::size_t AsioTimerService::pending() const {
  return impl_->queue.size();
}

}  // namespace siptgw
