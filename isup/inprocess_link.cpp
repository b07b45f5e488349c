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
  // Messages wait in a FIFO (its storage reused); the handler holds only the link, so no
  // per-message heap copy of the 280-byte transfer. Without latency the handler is posted:
  // a timer per message would make the real clock re-arm its timerfd each time.
  link->enqueue(peer, msg);
  InProcessLink* l = link;
  if (l->latency_ms_ == 0) {
    l->timers_.post([l] { l->deliverOne(); });
  } else {
    l->timers_.start(l->latency_ms_, [l] { l->deliverOne(); });
  }
  return true;
}

// Each handler delivers the oldest queued message: delivery is always in sending order, as
// MTP guarantees per signalling link selection (Q.704 §2.2) — after a latency change too.
void InProcessLink::enqueue(End* to, const MtpTransfer& msg) {
  if (count_ == ring_.size()) {  // full: unroll into a larger ring, oldest first
    std::vector<Pending> bigger;
    bigger.reserve(ring_.empty() ? 16 : ring_.size() * 2);
    for (std::size_t i = 0; i < count_; ++i) bigger.push_back(std::move(ring_[(head_ + i) % ring_.size()]));
    bigger.resize(bigger.capacity(), Pending{nullptr, {}});
    ring_ = std::move(bigger);
    head_ = 0;
  }
  ring_[(head_ + count_) % ring_.size()] = Pending{to, msg};
  ++count_;
}

void InProcessLink::deliverOne() {
  if (count_ == 0) return;
  Pending p = std::move(ring_[head_]);
  head_ = (head_ + 1) % ring_.size();
  --count_;
  ++p.to->delivered;
  if (p.to->user) p.to->user->mtpTransfer(p.msg);
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
