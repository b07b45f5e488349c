// The seam between M3uaLink (thread bridge, PAUSE/RESUME bookkeeping, counters: no osmocom)
// and the libosmo-sigtran adapter (osmo_sigtran_backend.cpp: the one file that includes
// osmocom headers and touches libosmo-sigtran structs). Tests put a fake behind it.
//
// A Backend owns the "ss7" thread. Every BackendListener callback runs on that thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/result.h"
#include "isup/m3ua/m3ua_config.h"
#include "isup/mtp_user.h"

namespace siptgw::isup::m3ua {

struct AspState {
  std::string name;
  std::string state;  // libosmo-sigtran's FSM state name: ASP_DOWN, ASP_INACTIVE, ASP_ACTIVE
  bool active = false;
  bool operator==(const AspState&) const = default;
};

// A sample of the AS and its ASPs, taken on the ss7 thread.
struct SigtranState {
  std::string as_state;  // AS_DOWN, AS_INACTIVE, AS_ACTIVE, AS_PENDING
  bool as_active = false;
  std::vector<AspState> asps;
  bool operator==(const SigtranState&) const = default;
};

class BackendListener {
 public:
  virtual ~BackendListener() = default;
  virtual void onTransfer(const MtpTransfer& msg) = 0;    // MTP-TRANSFER indication
  virtual void onState(const SigtranState& state) = 0;    // when the sample changes
  virtual void onPause(uint32_t dpc) = 0;                  // MTP-PAUSE, if the stack delivers one
  virtual void onResume(uint32_t dpc) = 0;                 // MTP-RESUME, ditto
  virtual void onStatus(const MtpStatus& status) = 0;      // MTP-STATUS, ditto
  virtual void onSendResult(bool accepted) = 0;            // the stack took / refused a request
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Starts the ss7 thread and sets the stack up on it; returns once that is done (or failed).
  virtual Result<Ok, std::string> start(BackendListener& listener) = 0;
  // Any thread: hands one MTP-TRANSFER request to the ss7 thread. false: queue full or not
  // running.
  virtual bool submit(const MtpTransfer& msg) = 0;
  // Stops and joins the ss7 thread. No listener call happens after it returns.
  virtual void stop() = 0;
};

// libosmo-sigtran 1.6 as the backend. One per process: libosmocore's logging, the
// osmo_ss7 instance list and its select loop are process- or thread-global.
std::unique_ptr<Backend> makeOsmoSigtranBackend(const SigtranPlan& plan);

}  // namespace siptgw::isup::m3ua
