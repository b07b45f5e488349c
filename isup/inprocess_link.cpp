#include "isup/inprocess_link.h"

namespace siptgw::isup {

InProcessLink::InProcessLink(TimerService& timers, uint32_t pc_a, uint32_t pc_b) : timers_(timers) {
  a_.link = this;
  a_.side = Side::A;
  a_.own_pc = pc_a;
  a_.peer_pc = pc_b;
  b_.link = this;
  b_.side = Side::B;
  b_.own_pc = pc_b;
  b_.peer_pc = pc_a;
}

bool InProcessLink::End::mtpTransferRequest(const MtpTransfer& msg) {
  if (paused || msg.header.dpc != peer_pc) return false;
  if (link->tap_) link->tap_(side, msg);
  if (lose > 0) {
    --lose;
    ++lost_count;
    return true;  // accepted, then lost, as with real MTP
  }
  End* peer = &link->peerOf(*this);
  auto deliver = [peer, msg] {
    ++peer->delivered;
    if (peer->user) peer->user->mtpTransfer(msg);
  };
  // Without latency a posted handler: no timer (a timer per message costs the real clock a
  // timerfd re-arm each time the earliest deadline moves).
  if (link->latency_ms_ == 0) {
    link->timers_.post(std::move(deliver));
  } else {
    link->timers_.start(link->latency_ms_, std::move(deliver));
  }
  return true;
}

void InProcessLink::pause(Side s) {
  End& e = end(s);
  e.paused = true;
  timers_.post([&e] {
    if (e.user) e.user->mtpPause(e.peer_pc);
  });
}

void InProcessLink::resume(Side s) {
  End& e = end(s);
  e.paused = false;
  timers_.post([&e] {
    if (e.user) e.user->mtpResume(e.peer_pc);
  });
}

void InProcessLink::status(Side s, const MtpStatus& st) {
  End& e = end(s);
  timers_.post([&e, st] {
    if (e.user) e.user->mtpStatus(st);
  });
}

void InProcessLink::loseNext(Side s, uint32_t n) { end(s).lose = n; }

}  // namespace siptgw::isup
