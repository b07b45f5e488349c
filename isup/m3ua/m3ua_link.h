// M3uaLink: the MTP service (isup/mtp_user.h) over M3UA (RFC 4666) as an ASP in client
// role, through libosmo-sigtran on its own "ss7" thread (DESIGN.md "Threads and event
// loops").
//
//  - MTP-TRANSFER indications arrive on the ss7 thread, are copied into MtpTransfer values
//    and posted to the core io_context, where the MtpUser gets them.
//  - MTP-TRANSFER requests are checked on core (route known, destination not paused) and
//    handed to the ss7 thread through libosmocore's osmo_it_q.
//  - MTP-PAUSE / MTP-RESUME are derived from the AS state: AS active → RESUME for every
//    routed destination; AS not active → PAUSE for them (libosmo-sigtran 1.6 delivers no
//    PAUSE/RESUME to MTP users itself; should a later one, they are passed on too).
//  - stats() is a thread-safe snapshot for metrics and the admin interface.
//
// Construct, setUser, start() and destroy on the core thread. The io_context must keep
// running while the link lives: indications reach the user through it.
#pragma once

// Standard headers first: Asio 1.22 picks std::aligned_alloc vs operator new for its
// handler memory by _GLIBCXX_HAVE_ALIGNED_ALLOC, which only a prior libstdc++ header
// defines. Translation units that include Asio first get the other choice, and the linker
// then pairs aligned_alloc with operator delete or new with free (ASan: alloc-dealloc
// mismatch). Every file that includes Asio must include a standard header before it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "config/result.h"
#include "isup/m3ua/m3ua_backend.h"
#include "isup/m3ua/m3ua_config.h"
#include "isup/mtp_user.h"

namespace siptgw::isup::m3ua {

struct LinkStats {
  SigtranState state;                 // AS and ASP state names as last sampled
  uint64_t msgs_in = 0;               // MTP-TRANSFER indications received
  uint64_t msgs_out = 0;              // requests the stack accepted
  uint64_t send_refused = 0;          // requests refused on core (paused, unknown route, queue full)
  uint64_t send_failed = 0;           // requests the stack refused on the ss7 thread
  uint64_t pauses = 0;                // MTP-PAUSE indications given to the user
  uint64_t resumes = 0;               // MTP-RESUME indications given to the user
  uint64_t statuses = 0;              // MTP-STATUS indications given to the user
  uint64_t state_changes = 0;         // AS/ASP state changes seen
  std::chrono::system_clock::time_point last_state_change{};  // epoch: never
};

class M3uaLink final : public MtpProvider, private BackendListener {
 public:
  // libosmo-sigtran backend.
  M3uaLink(asio::io_context& core, SigtranPlan plan);
  // Any backend (tests).
  M3uaLink(asio::io_context& core, SigtranPlan plan, std::unique_ptr<Backend> backend);
  ~M3uaLink() override;
  M3uaLink(const M3uaLink&) = delete;
  M3uaLink& operator=(const M3uaLink&) = delete;

  Result<Ok, std::string> start();
  void stop();  // idempotent; no indication is delivered after it returns

  // MtpProvider (core thread)
  void setUser(MtpUser* user) override { user_ = user; }
  bool mtpTransferRequest(const MtpTransfer& msg) override;
  bool available(uint32_t dpc) const override;

  const SigtranPlan& plan() const { return plan_; }
  LinkStats stats() const;  // any thread

 private:
  // BackendListener (ss7 thread)
  void onTransfer(const MtpTransfer& msg) override;
  void onState(const SigtranState& state) override;
  void onPause(uint32_t dpc) override;
  void onResume(uint32_t dpc) override;
  void onStatus(const MtpStatus& status) override;
  void onSendResult(bool accepted) override;

  // ss7 thread: recompute each route's availability, post the changes to core.
  void updateRoutes();
  template <class F>
  void postToCore(F&& f);

  asio::io_context& core_;
  SigtranPlan plan_;
  std::unique_ptr<Backend> backend_;
  MtpUser* user_ = nullptr;
  bool started_ = false;
  // Core's view: one flag per route, flipped just before the user hears PAUSE/RESUME.
  std::vector<bool> core_available_;
  // The ss7 thread's view.
  bool ss7_as_active_ = false;
  std::vector<bool> ss7_snm_paused_;  // PAUSE delivered by the stack for that route
  std::vector<bool> ss7_available_;
  // Handlers posted to core check this before touching the link.
  std::shared_ptr<std::atomic<bool>> alive_;

  mutable std::mutex stats_mutex_;
  LinkStats stats_;
};

}  // namespace siptgw::isup::m3ua
