// Gateway: where a SIP dialog and an ISUP call meet (DESIGN.md; issue #5). It is the
// SessionHandler of the SIP user agent and the IsupUser of the ISUP stack, owns every live
// call (one Boost.Statechart chart each, gateway/call.h) and turns the stacks' callbacks into
// chart events. Everything runs on the core thread; no locks.
//
//   SIP INVITE → route by called number → a SIP-originated call (RFC 3398 §7.2 chart) that
//     seizes a circuit on the route's trunk and sends the IAM;
//   ISUP IAM   → route by called number → an ISUP-originated call (RFC 3398 §8.2 chart) that
//     sends an INVITE to the route's SIP peer.
// No route: 404 + Reason Q.850 cause 3 / REL cause 3 "no route to destination" (Q.850).
//
// The I/O (sockets, M3UA, the io_context) is outside: the gateway is given a TimerService, a
// sip::TransportSender and an isup::MtpProvider, so unit tests drive it with a manual clock,
// a fake SIP transport and an in-process ISUP link.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/result.h"
#include "config/spare_nodes.h"
#include "config/timer_service.h"
#include "gateway/gateway_config.h"
#include "gateway/router.h"
#include "isup/isup_stack.h"
#include "mapping/profile.h"
#include "sip/user_agent.h"

namespace siptgw::gateway {

class Call;
class Metrics;

enum class Direction : uint8_t { SipToIsup, IsupToSip };
std::string_view directionName(Direction d);  // "sip_to_isup", "isup_to_sip"

// What the gateway did, for tests and the admin view (the Prometheus side is Metrics).
struct GatewayCounters {
  std::array<uint64_t, 2> attempted{}, answered{}, failed{}, completed{};
  uint64_t noRoute = 0;
  uint64_t unexpectedEvents = 0;  // events a chart did not consume (a bug, or a race to handle)
};

class Gateway final : public sip::SessionHandler, public isup::IsupUser {
 public:
  // `metrics` may be null (unit tests). The config must outlive the gateway.
  Gateway(TimerService& clock, sip::TransportSender& sipNet, isup::MtpProvider& mtp,
          const GatewayConfig& cfg, Metrics* metrics);
  ~Gateway() override;
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Adds the trunks' circuit groups and resets the circuits (GRS, Q.764 §2.9.3).
  Result<Ok, std::string> start();

  sip::UserAgent& ua() { return ua_; }
  isup::IsupStack& isup() { return isup_; }
  TimerService& clock() { return clock_; }
  const GatewayConfig& config() const { return cfg_; }
  const GatewayCounters& counters() const { return counters_; }
  std::size_t activeCalls() const { return calls_.size(); }
  // The state of the live call on an ISUP call id / SIP session ("" when none), for tests.
  std::string stateOfIsupCall(isup::CallId id) const;
  std::string stateOfSession(sip::SessionId id) const;
  // Bytes of a call object including its chart's states (for the per-call figure).
  static std::size_t bytesPerCallObject();

  // ---- sip::SessionHandler
  void onIncoming(sip::InviteSession& s, const sip::Message& invite) override;
  void onProvisional(sip::InviteSession& s, const sip::Message& rsp) override;
  void onAnswered(sip::InviteSession& s, const sip::Message& rsp) override;
  void onConfirmed(sip::InviteSession& s) override;
  void onTerminated(sip::InviteSession& s, sip::EndReason why, std::uint16_t code) override;

  // ---- isup::IsupUser
  void onIncomingSetup(isup::CallId, const isup::Message& iam, bool overlap) override;
  void onAddressComplete(isup::CallId, const isup::Message& acm) override;
  void onProgress(isup::CallId, const isup::Message& cpg) override;
  void onAnswer(isup::CallId, const isup::Message& anm) override;
  void onRelease(isup::CallId, const isup::ReleaseInfo&) override;
  void onMaintenance(isup::MaintenanceAlert, uint32_t dpc, uint16_t cic) override;

  // ---- for the calls (gateway/call.cpp)
  struct Trunk {
    const TrunkConfig* cfg = nullptr;
    uint16_t group = 0;  // IsupStack group index
    mapping::Profile profile;
  };
  struct Peer {
    const SipPeerConfig* cfg = nullptr;
    sip::Destination dst;
    mapping::Profile profile;
  };
  const Trunk& trunk(std::size_t i) const { return trunks_[i]; }
  const Peer& peer(std::size_t i) const { return peers_[i]; }
  const Router& router() const { return router_; }
  Metrics* metrics() { return metrics_; }
  GatewayCounters& mutableCounters() { return counters_; }
  const mapping::Profile& defaultProfile() const { return defaultProfile_; }
  uint64_t nextSdpSessionId() { return ++sdpSessionId_; }

  // Milestones the charts report (counters, metrics).
  void noteAttempt(Call& c);
  void noteSetupSent(Call& c);
  void noteProgress(Call& c);
  void noteAnswered(Call& c);
  void noteFailed(Call& c, uint8_t cause);
  void noteUnexpected(Call& c, std::string_view event);

  void bindIsup(Call& c, isup::CallId id) { spareByIsup_.insert(byIsup_, id) = &c; }
  void unbindIsup(isup::CallId id) { spareByIsup_.erase(byIsup_, id); }
  // The chart reached its final state: forget the call's bindings now, delete it later
  // (never from inside its own reaction).
  void retire(Call& c);

 private:
  Call* callOfIsup(isup::CallId id) const;
  static Call* callOfSession(const sip::InviteSession& s);

  TimerService& clock_;
  const GatewayConfig& cfg_;
  Metrics* metrics_;
  sip::UserAgent ua_;
  isup::IsupStack isup_;
  Router router_;
  mapping::Profile defaultProfile_;
  std::vector<Trunk> trunks_;
  std::vector<Peer> peers_;
  std::unordered_map<isup::CallId, Call*> byIsup_;
  std::unordered_map<Call*, std::unique_ptr<Call>> calls_;
  // Their nodes are reused: a call adds and removes one entry in each.
  SpareNodes<std::unordered_map<isup::CallId, Call*>, 1024> spareByIsup_;
  SpareNodes<std::unordered_map<Call*, std::unique_ptr<Call>>, 1024> spareCalls_;
  void adopt(std::unique_ptr<Call> call);  // into calls_
  std::vector<std::unique_ptr<Call>> retired_;
  bool reapPosted_ = false;
  uint64_t sdpSessionId_ = 0;
  uint64_t nextCallSerial_ = 0;
  GatewayCounters counters_;
  friend class Call;
};

}  // namespace siptgw::gateway
