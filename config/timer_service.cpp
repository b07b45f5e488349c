#include "config/timer_service.h"

#include <cassert>
#include <chrono>

#include <asio.hpp>

namespace siptgw {

void Timer::start(uint32_t ms, std::function<void()> cb) {
  assert(svc_);
  stop();
  cb_ = std::move(cb);
  id_ = svc_->start(ms, [this] { fire(); });
}

void Timer::stop() {
  if (id_ != 0 && svc_) svc_->cancel(id_);
  id_ = 0;
}

void Timer::fire() {
  id_ = 0;
  // The callback may restart this timer or destroy its owner (and so this Timer): move it
  // out first so nothing of *this is touched afterwards.
  std::function<void()> cb = std::move(cb_);
  cb();
}

TimerService::Id ManualTimerService::start(uint32_t ms, Callback cb) {
  Id id = ++next_;
  uint64_t due = now_ + ms;
  queue_.emplace(std::make_pair(due, id), std::move(cb));
  due_.emplace(id, due);
  return id;
}

void ManualTimerService::cancel(Id id) {
  auto it = due_.find(id);
  if (it == due_.end()) return;
  queue_.erase({it->second, id});
  due_.erase(it);
}

void ManualTimerService::advance(uint64_t ms) {
  const uint64_t target = now_ + ms;
  while (!queue_.empty()) {
    auto it = queue_.begin();
    if (it->first.first > target) break;
    now_ = it->first.first;
    Callback cb = std::move(it->second);
    due_.erase(it->first.second);
    queue_.erase(it);
    ++fired_;
    cb();
  }
  now_ = target;
}

std::optional<uint64_t> ManualTimerService::nextDeadline() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.begin()->first.first;
}

struct AsioTimerService::Impl {
  asio::io_context& io;
  Id next = 0;
  std::unordered_map<Id, std::unique_ptr<asio::steady_timer>> timers;
};

AsioTimerService::AsioTimerService(asio::io_context& io) : impl_(new Impl{io, 0, {}}) {}
AsioTimerService::~AsioTimerService() = default;

uint64_t AsioTimerService::nowMs() const {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

TimerService::Id AsioTimerService::start(uint32_t ms, Callback cb) {
  Id id = ++impl_->next;
  auto t = std::make_unique<asio::steady_timer>(impl_->io, std::chrono::milliseconds(ms));
  asio::steady_timer* raw = t.get();
  impl_->timers.emplace(id, std::move(t));
  Impl* impl = impl_.get();
  raw->async_wait([impl, id, cb = std::move(cb)](const asio::error_code& ec) {
    if (ec) return;
    auto it = impl->timers.find(id);
    if (it == impl->timers.end()) return;  // cancelled after it became ready
    std::unique_ptr<asio::steady_timer> keep = std::move(it->second);
    impl->timers.erase(it);
    cb();
  });
  return id;
}

void AsioTimerService::cancel(Id id) {
  auto it = impl_->timers.find(id);
  if (it == impl_->timers.end()) return;
  it->second->cancel();
  impl_->timers.erase(it);
}

void AsioTimerService::post(Callback cb) { asio::post(impl_->io, std::move(cb)); }

}  // namespace siptgw
