// Two MTP service providers connected back to back in one process (tests, the demo, the
// exchange simulator): side A has point code pc_a, side B pc_b. A transfer request on one
// side is delivered to the other side's MtpUser later, through the TimerService (never
// re-entrantly, optionally with a latency), as MTP would. Tests control the link: pause and
// resume a destination (MTP-PAUSE/RESUME, Q.764 §2.13), inject MTP-STATUS, lose messages.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "isup/mtp_user.h"
#include "config/timer_service.h"

namespace siptgw::isup {

class InProcessLink {
 public:
  enum class Side : uint8_t { A, B };
  // Called for every message that is put on the link (lost ones included), with the sending side.
  using Tap = std::function<void(Side from, const MtpTransfer&)>;

  InProcessLink(TimerService& timers, uint32_t pc_a, uint32_t pc_b);
  InProcessLink(const InProcessLink&) = delete;
  InProcessLink& operator=(const InProcessLink&) = delete;

  MtpProvider& a() { return a_; }
  MtpProvider& b() { return b_; }
  MtpProvider& side(Side s) { return s == Side::A ? static_cast<MtpProvider&>(a_) : b_; }

  // `s` loses sight of its peer: its user gets MTP-PAUSE (posted) and its requests fail.
  void pause(Side s);
  void resume(Side s);  // MTP-RESUME (posted)
  void status(Side s, const MtpStatus& st);  // MTP-STATUS to `s`'s user (posted)
  // The next `n` messages sent from `s` are lost.
  void loseNext(Side s, uint32_t n);
  void setLatency(uint32_t ms) { latency_ms_ = ms; }
  void setTap(Tap t) { tap_ = std::move(t); }

  uint64_t delivered(Side to) const { return to == Side::A ? a_.delivered : b_.delivered; }
  uint64_t lost() const { return a_.lost_count + b_.lost_count; }

 private:
  struct End final : MtpProvider {
    InProcessLink* link = nullptr;
    Side side{};
    uint32_t own_pc = 0, peer_pc = 0;
    MtpUser* user = nullptr;
    bool paused = false;
    uint32_t lose = 0;
    uint64_t delivered = 0, lost_count = 0;
    void setUser(MtpUser* u) override { user = u; }
    bool mtpTransferRequest(const MtpTransfer& msg) override;
    bool available(uint32_t dpc) const override { return dpc == peer_pc && !paused; }
  };
  End& peerOf(const End& e) { return e.side == Side::A ? b_ : a_; }
  End& end(Side s) { return s == Side::A ? a_ : b_; }

  TimerService& timers_;
  End a_, b_;
  struct Pending {
    End* to;
    MtpTransfer msg;
  };
  void deliverOne();

  uint32_t latency_ms_ = 0;
  Tap tap_;
  // FIFO as a ring over a vector that only grows: std::deque puts one 288-byte Pending per
  // node, so every push allocated and every pop freed.
  std::vector<Pending> ring_;
  std::size_t head_ = 0, count_ = 0;
  void enqueue(End* to, const MtpTransfer& msg);
};

}  // namespace siptgw::isup
