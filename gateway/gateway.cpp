#include "gateway/gateway.h"

#include "gateway/call.h"
#include "gateway/call_events.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "sip/headers.h"
#include "sip/text.h"

namespace siptgw::gateway {
namespace {

sip::UaConfig uaConfig(const GatewayConfig& cfg) {
  sip::UaConfig u;
  u.user = "siptgw";
  u.product = cfg.node;
  u.support100rel = cfg.sip.rel100 != Rel100Mode::Disabled;
  u.require100rel = cfg.sip.rel100 == Rel100Mode::Required;
  u.sessionTimer.enabled = cfg.sip.sessionTimerEnabled;
  u.sessionTimer.refreshAlone = cfg.sip.sessionTimerRefreshAlone;
  return u;
}

sip::TransactionConfig txnConfig(const GatewayConfig& cfg) {
  sip::TransactionConfig t;
  t.timers = cfg.sip.timers;
  return t;
}

mapping::Overrides toOverrides(const ProfileOverrides& o) {
  mapping::Overrides m;
  m.causeToStatus = o.causeToStatus;
  m.statusToCause = o.statusToCause;
  m.countryCode = o.countryCode;
  m.areaCode = o.areaCode;
  m.nationalPrefix = o.nationalPrefix;
  m.internationalPrefix = o.internationalPrefix;
  return m;
}

// The Q.850 cause of a Reason header value ("Q.850;cause=17;text=...", RFC 3326 §2), if any.
std::optional<uint8_t> q850Of(std::string_view reason) {
  auto r = sip::parseReason(reason);  // the stack's RFC 3326 §2 parser, not a second one
  if (!r || !sip::iequals(r->protocol, "Q.850") || !r->cause || *r->cause == 0 || *r->cause > 127)
    return std::nullopt;
  return static_cast<uint8_t>(*r->cause);
}

// The address a request came from: the top Via's received= (set by our transport, RFC 3261
// §18.2.1) or its sent-by host.
std::string_view sourceHost(const sip::Message& m) {
  const auto& via = m.topVia();
  if (!via) return {};
  return via->received.empty() ? via->host : via->received;
}

CallDirection cd(const Call& c) { return static_cast<CallDirection>(c.direction()); }
double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::string_view directionName(Direction d) {
  return d == Direction::SipToIsup ? "sip_to_isup" : "isup_to_sip";
}

Gateway::Gateway(TimerService& clock, sip::TransportSender& sipNet, isup::MtpProvider& mtp,
                 const GatewayConfig& cfg, Metrics* metrics)
    : clock_(clock),
      cfg_(cfg),
      metrics_(metrics),
      ua_(clock, sipNet, *this, uaConfig(cfg), txnConfig(cfg)),
      isup_(clock, mtp, cfg.isup.stack),
      router_(cfg) {
  isup_.setUser(this);
  defaultProfile_ = mapping::builtinProfile("rfc3398").value();
  auto profileFor = [&](const std::string& name) {
    auto p = mapping::builtinProfile(name);
    mapping::Profile prof = p ? std::move(*p) : defaultProfile_;
    if (auto it = cfg.profiles.find(name); it != cfg.profiles.end())
      mapping::applyOverrides(prof, toOverrides(it->second));
    return prof;
  };
  for (const TrunkConfig& t : cfg.trunks) trunks_.push_back(Trunk{&t, 0, profileFor(t.profile)});
  for (const SipPeerConfig& p : cfg.sip.peers) {
    Peer peer{&p, {}, profileFor(p.profile)};
    peer.dst.transport = p.transport;
    if (auto ep = sip::Endpoint::fromIp(p.address, p.port)) peer.dst.remote = *ep;
    peers_.push_back(std::move(peer));
  }
}

Gateway::~Gateway() {
  isup_.setUser(nullptr);
  for (auto& [p, c] : calls_) {
    if (c->sid)
      if (sip::InviteSession* s = ua_.find(c->sid)) s->userData = nullptr;
  }
}

Result<Ok, std::string> Gateway::start() {
  for (Trunk& t : trunks_) {
    auto g = isup_.addGroup(t.cfg->group);
    if (!g) return Unexpected<std::string>("trunk " + t.cfg->name() + ": " + g.error());
    t.group = *g;
  }
  isup_.start();
  return Ok{};
}

Call* Gateway::callOfIsup(isup::CallId id) const {
  auto it = byIsup_.find(id);
  return it == byIsup_.end() ? nullptr : it->second;
}
Call* Gateway::callOfSession(const sip::InviteSession& s) { return static_cast<Call*>(s.userData); }

std::string Gateway::stateOfIsupCall(isup::CallId id) const {
  const Call* c = callOfIsup(id);
  return c ? std::string(c->stateName()) : std::string{};
}
std::string Gateway::stateOfSession(sip::SessionId id) const {
  for (const auto& [p, c] : calls_)
    if (c->sid == id) return std::string(c->stateName());
  return {};
}

void Gateway::retire(Call& c) {
  if (c.retired) return;
  c.retired = true;
  if (c.sid)
    if (sip::InviteSession* s = ua_.find(c.sid)) s->userData = nullptr;
  if (c.cid) unbindIsup(c.cid);
  if (metrics_) metrics_->callEnded();
  auto it = calls_.find(&c);
  if (it == calls_.end()) return;
  retired_.push_back(std::move(it->second));
  spareCalls_.erase(calls_, &c);
  if (!reapPosted_) {  // never delete a chart from inside its own reaction
    reapPosted_ = true;
    clock_.post([this] {
      reapPosted_ = false;
      retired_.clear();
    });
  }
}

void Gateway::adopt(std::unique_ptr<Call> call) {
  Call* c = call.get();
  spareCalls_.insert(calls_, c) = std::move(call);
}

// ---- milestones → counters and metrics

void Gateway::noteAttempt(Call& c) {
  const auto d = static_cast<std::size_t>(c.direction());
  c.attempted = true;
  ++counters_.attempted[d];
  if (metrics_) metrics_->callAttempted(cd(c), c.trunk);
}
void Gateway::noteSetupSent(Call& c) {
  c.setupSentAt = std::chrono::steady_clock::now();
  if (metrics_) metrics_->transitDelay(cd(c), seconds(c.setupSentAt - c.startedAt));
}
void Gateway::noteProgress(Call& c) {
  if (c.firstBackward) return;
  c.firstBackward = true;
  if (metrics_) metrics_->postDialDelay(cd(c), seconds(std::chrono::steady_clock::now() - c.startedAt));
}
void Gateway::noteAnswered(Call& c) {
  const auto d = static_cast<std::size_t>(c.direction());
  ++counters_.answered[d];
  if (metrics_) {
    metrics_->callAnswered(cd(c), c.trunk);
    metrics_->answerDelay(cd(c), seconds(std::chrono::steady_clock::now() - c.startedAt));
  }
}
void Gateway::noteFailed(Call& c, uint8_t cause) {
  const auto d = static_cast<std::size_t>(c.direction());
  // A release after answer is a completed call; a call refused before it was routed to a
  // trunk (no route, bad number) is counted by noRoute / the SIP response only.
  if (c.answered || c.failedNoted || !c.attempted) return;
  c.failedNoted = true;
  ++counters_.failed[d];
  if (metrics_) metrics_->callFailed(cd(c), c.trunk, cause);
}
void Gateway::noteUnexpected(Call& c, std::string_view event) {
  ++counters_.unexpectedEvents;
  if (metrics_)
    metrics_->unexpectedEvent(c.direction() == Direction::SipToIsup ? "sip_to_isup" : "isup_to_sip",
                              c.stateName(), event);
}

// ---- SIP side

void Gateway::onIncoming(sip::InviteSession& s, const sip::Message& invite) {
  auto call = makeSipOriginatedCall(*this);
  Call& c = *call;
  if (metrics_) metrics_->callStarted();
  c.startedAt = std::chrono::steady_clock::now();
  adopt(std::move(call));
  s.userData = static_cast<Call*>(&c);
  c.sid = s.id();
  EvSipInvite ev;
  ev.invite = &invite;
  ev.offer = s.incomingOffer();
  const std::string_view src = sourceHost(invite);
  for (const Peer& p : peers_)
    if (p.cfg->trusted && p.cfg->address == src) ev.trusted = true;
  c.dispatch(ev);
}

void Gateway::onProvisional(sip::InviteSession& s, const sip::Message& rsp) {
  Call* c = callOfSession(s);
  if (!c) return;
  const auto& line = rsp.statusCode();
  if (line <= 100) return;
  EvSipProvisional ev;
  ev.response = &rsp;
  ev.code = line;
  c->dispatch(ev);
}

void Gateway::onAnswered(sip::InviteSession& s, const sip::Message& rsp) {
  Call* c = callOfSession(s);
  if (!c) return;
  EvSipAnswer ev;
  ev.response = &rsp;
  c->dispatch(ev);
}

void Gateway::onConfirmed(sip::InviteSession& s) {
  if (Call* c = callOfSession(s)) c->dispatch(EvSipAck{});
}

void Gateway::onTerminated(sip::InviteSession& s, sip::EndReason why, std::uint16_t code) {
  Call* c = callOfSession(s);
  if (!c) return;
  s.userData = nullptr;  // the session is gone after this returns
  c->sid = 0;
  const std::optional<uint8_t> q850 = q850Of(s.remoteReason());
  using R = sip::EndReason;
  switch (why) {
    case R::Cancelled:
      if (s.isUac()) {
        c->dispatch(EvSipEnded{});
      } else {
        EvSipCancel ev;
        ev.q850 = q850;
        c->dispatch(ev);
      }
      return;
    case R::RemoteBye: {
      EvSipBye ev;
      ev.q850 = q850;
      c->dispatch(ev);
      return;
    }
    case R::LocalBye: c->dispatch(EvSipEnded{}); return;
    case R::Rejected:
      if (s.isUac()) {
        EvSipReject ev;
        ev.code = code;
        ev.q850 = q850;
        c->dispatch(ev);
      } else {
        c->dispatch(EvSipEnded{});
      }
      return;
    default: {
      EvSipFailure ev;
      ev.why = why;
      ev.code = code;
      c->dispatch(ev);
      return;
    }
  }
}

// ---- ISUP side

void Gateway::onIncomingSetup(isup::CallId id, const isup::Message& iam, bool /*overlap*/) {
  auto call = makeIsupOriginatedCall(*this);
  Call& c = *call;
  if (metrics_) metrics_->callStarted();
  c.startedAt = std::chrono::steady_clock::now();
  adopt(std::move(call));
  c.cid = id;
  c.cic = iam.cic;
  for (std::size_t i = 0; i < trunks_.size(); ++i) {
    if (isup_.callOn(trunks_[i].cfg->group.dpc, iam.cic) == id) {
      c.trunk = i;
      break;
    }
  }
  bindIsup(c, id);
  EvIsupIam ev;
  ev.iam = &iam;
  c.dispatch(ev);
}

void Gateway::onAddressComplete(isup::CallId id, const isup::Message& acm) {
  if (Call* c = callOfIsup(id)) {
    EvIsupAcm ev;
    ev.msg = &acm;
    c->dispatch(ev);
  }
}

void Gateway::onProgress(isup::CallId id, const isup::Message& cpg) {
  if (Call* c = callOfIsup(id)) {
    EvIsupCpg ev;
    ev.msg = &cpg;
    c->dispatch(ev);
  }
}

void Gateway::onAnswer(isup::CallId id, const isup::Message& anm) {
  if (Call* c = callOfIsup(id)) {
    EvIsupAnm ev;
    ev.msg = &anm;
    ev.con = anm.type == isup::MessageType::CON;
    c->dispatch(ev);
  }
}

void Gateway::onRelease(isup::CallId id, const isup::ReleaseInfo& info) {
  Call* c = callOfIsup(id);
  if (!c) return;
  unbindIsup(id);  // the CallId is dead after this returns
  c->cid = 0;
  EvIsupRel ev;
  ev.origin = info.origin;
  ev.cause = info.cause;
  ev.location = info.location;
  c->dispatch(ev);
}

void Gateway::onMaintenance(isup::MaintenanceAlert a, uint32_t dpc, uint16_t cic) {
  if (log::enabled(log::Level::Warn))
    log::line(log::Level::Warn, "isup maintenance " + std::string(isup::alertName(a)) + " dpc=" +
                                    std::to_string(dpc) + " cic=" + std::to_string(cic));
}

}  // namespace siptgw::gateway
