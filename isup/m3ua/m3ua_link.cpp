#include "isup/m3ua/m3ua_link.h"

#include <asio/post.hpp>

#include <utility>

namespace siptgw::isup::m3ua {

M3uaLink::M3uaLink(asio::io_context& core, SigtranPlan plan)
    : M3uaLink(core, plan, makeOsmoSigtranBackend(plan)) {}

M3uaLink::M3uaLink(asio::io_context& core, SigtranPlan plan, std::unique_ptr<Backend> backend)
    : core_(core),
      plan_(std::move(plan)),
      backend_(std::move(backend)),
      core_available_(plan_.routes.size(), false),
      ss7_snm_paused_(plan_.routes.size(), false),
      ss7_available_(plan_.routes.size(), false),
      alive_(std::make_shared<std::atomic<bool>>(true)) {}

M3uaLink::~M3uaLink() {
  stop();
  alive_->store(false);
}

Result<Ok, std::string> M3uaLink::start() {
  if (started_) return Unexpected{std::string("m3ua: already started")};
  auto r = backend_->start(*this);
  if (!r) return r;
  started_ = true;
  return Ok{};
}

void M3uaLink::stop() {
  if (!started_) return;
  backend_->stop();
  started_ = false;
  // Handlers already posted must not reach the user any more.
  alive_->store(false);
  alive_ = std::make_shared<std::atomic<bool>>(true);
  std::fill(core_available_.begin(), core_available_.end(), false);
  // The ss7 thread is gone: its view can be reset too, so that a later start() begins paused.
  ss7_as_active_ = false;
  std::fill(ss7_snm_paused_.begin(), ss7_snm_paused_.end(), false);
  std::fill(ss7_available_.begin(), ss7_available_.end(), false);
}

template <class F>
void M3uaLink::postToCore(F&& f) {
  asio::post(core_, [alive = alive_, f = std::forward<F>(f)]() mutable {
    if (alive->load()) f();
  });
}

bool M3uaLink::available(uint32_t dpc) const {
  const int i = plan_.routeFor(dpc);
  return i >= 0 && core_available_[static_cast<std::size_t>(i)];
}

bool M3uaLink::mtpTransferRequest(const MtpTransfer& msg) {
  bool ok = started_ && available(msg.header.dpc) && msg.size > 0;
  if (ok) {
    if (msg.header.opc == 0 && plan_.local_pc != 0) {
      MtpTransfer m = msg;
      m.header.opc = plan_.local_pc;
      ok = backend_->submit(m);
    } else {
      ok = backend_->submit(msg);
    }
  }
  if (!ok) {
    std::lock_guard lk(stats_mutex_);
    ++stats_.send_refused;
  }
  return ok;
}

LinkStats M3uaLink::stats() const {
  std::lock_guard lk(stats_mutex_);
  return stats_;
}

// ---------------------------------------------------------------- ss7 thread

void M3uaLink::onTransfer(const MtpTransfer& msg) {
  {
    std::lock_guard lk(stats_mutex_);
    ++stats_.msgs_in;
  }
  postToCore([this, msg] {
    if (user_) user_->mtpTransfer(msg);
  });
}

void M3uaLink::onState(const SigtranState& state) {
  {
    std::lock_guard lk(stats_mutex_);
    stats_.state = state;
    ++stats_.state_changes;
    stats_.last_state_change = std::chrono::system_clock::now();
  }
  if (state.as_active != ss7_as_active_) {
    ss7_as_active_ = state.as_active;
    // A fresh AS activation starts from a clean slate: older per-destination PAUSEs from
    // the stack described the previous association.
    if (ss7_as_active_) std::fill(ss7_snm_paused_.begin(), ss7_snm_paused_.end(), false);
    updateRoutes();
  }
}

void M3uaLink::onPause(uint32_t dpc) {
  for (std::size_t i = 0; i < plan_.routes.size(); ++i)
    if (plan_.routes[i].matches(dpc)) ss7_snm_paused_[i] = true;
  updateRoutes();
}

void M3uaLink::onResume(uint32_t dpc) {
  for (std::size_t i = 0; i < plan_.routes.size(); ++i)
    if (plan_.routes[i].matches(dpc)) ss7_snm_paused_[i] = false;
  updateRoutes();
}

void M3uaLink::onStatus(const MtpStatus& status) {
  {
    std::lock_guard lk(stats_mutex_);
    ++stats_.statuses;
  }
  postToCore([this, status] {
    if (user_) user_->mtpStatus(status);
  });
}

void M3uaLink::onSendResult(bool accepted) {
  std::lock_guard lk(stats_mutex_);
  if (accepted) ++stats_.msgs_out;
  else ++stats_.send_failed;
}

void M3uaLink::updateRoutes() {
  for (std::size_t i = 0; i < plan_.routes.size(); ++i) {
    const bool now = ss7_as_active_ && !ss7_snm_paused_[i];
    if (now == ss7_available_[i]) continue;
    ss7_available_[i] = now;
    const uint32_t dpc = plan_.routes[i].dpc;
    {
      std::lock_guard lk(stats_mutex_);
      ++(now ? stats_.resumes : stats_.pauses);
    }
    postToCore([this, i, now, dpc] {
      if (core_available_[i] == now) return;
      core_available_[i] = now;
      if (!user_) return;
      if (now) user_->mtpResume(dpc);
      else user_->mtpPause(dpc);
    });
  }
}

}  // namespace siptgw::isup::m3ua
