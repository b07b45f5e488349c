// The two call charts (see call.h). Reactions name the RFC 3398 clause they implement.
#include "gateway/call.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/mpl/list.hpp>
#include <boost/statechart/custom_reaction.hpp>
#include <boost/statechart/simple_state.hpp>
#include <boost/statechart/state.hpp>
#include <boost/statechart/state_machine.hpp>

#include "gateway/call_events.h"
#include "gateway/log.h"
#include "gateway/media.h"
#include "mapping/backward.h"
#include "mapping/bearer.h"
#include "mapping/isup_to_sip.h"
#include "mapping/numbers.h"
#include "mapping/release.h"
#include "mapping/sip_to_isup.h"

namespace siptgw::gateway {
namespace mpl = boost::mpl;

// ---------------------------------------------------------------------------------------
// Call

Call::Call(Gateway& gw, Direction dir) : gw_(gw), dir_(dir), serial_(++gw.nextCallSerial_) {}

std::string Call::tag() const {
  std::string s = "call(";
  s += dir_ == Direction::SipToIsup ? 'O' : 'I';
  s += '#';
  s += std::to_string(serial_);
  s += " cic=" + std::to_string(cic) + " cid=" + std::to_string(cid) + " sid=" + std::to_string(sid);
  s += "){";
  s += stateName();
  s += '}';
  return s;
}

void Call::logEvent(std::string_view what) const {
  if (log::enabled(log::Level::Debug)) log::line(log::Level::Debug, tag() + " " + std::string(what));
}

namespace {

// Storage for chart states and the charts themselves. Boost.Statechart news and deletes a
// state object on every transition (five or six per call), and every call news its chart
// (OChart 512 bytes); blocks come back here instead of going to malloc.
// Free lists per 64-byte size class, one set per thread (the allocator must be stateless:
// statechart default-constructs it); a list keeps at most kKeep blocks, so a burst of
// calls does not pin memory for good.
class StatePool {
 public:
  static constexpr std::size_t kGranule = 64, kClasses = 8, kKeep = 4096;
  ~StatePool() {
    for (Block*& head : free_) {
      while (head) ::operator delete(std::exchange(head, head->next));
    }
  }
  void* allocate(std::size_t bytes) {
    const std::size_t c = classOf(bytes);
    if (c >= kClasses) return ::operator new(bytes);
    if (Block* b = free_[c]) {
      free_[c] = b->next;
      --count_[c];
      return b;
    }
    return ::operator new((c + 1) * kGranule);
  }
  void deallocate(void* p, std::size_t bytes) noexcept {
    const std::size_t c = classOf(bytes);
    if (c >= kClasses || count_[c] >= kKeep) return ::operator delete(p);
    free_[c] = ::new (p) Block{free_[c]};
    ++count_[c];
  }
  static StatePool& local() {
    thread_local StatePool pool;
    return pool;
  }

 private:
  struct Block {
    Block* next;
  };
  static std::size_t classOf(std::size_t bytes) { return bytes == 0 ? 0 : (bytes - 1) / kGranule; }
  std::array<Block*, kClasses> free_{};
  std::array<std::size_t, kClasses> count_{};
};

// Buffers for a call's SDP texts (the INVITE's offer, kept until answered, and our answer),
// reused the same way: a call takes two and gives them back when it is answered or gone.
class SdpBuffers {
 public:
  static constexpr std::size_t kKeep = 1024, kMaxCapacity = 4096;
  static std::string take() {
    auto& f = local();
    if (f.empty()) return {};
    std::string s = std::move(f.back());
    f.pop_back();
    return s;
  }
  // Leaves `s` empty with no heap storage.
  static void give(std::string& s) {
    auto& f = local();
    if (s.capacity() > 15 && s.capacity() <= kMaxCapacity && f.size() < kKeep) {
      s.clear();
      f.push_back(std::move(s));
    }
    std::string().swap(s);
  }

 private:
  static std::vector<std::string>& local() {
    thread_local std::vector<std::string> free;
    return free;
  }
};

template <class T>
struct StateAllocator {
  using value_type = T;
  StateAllocator() = default;
  template <class U>
  StateAllocator(const StateAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit
  T* allocate(std::size_t n) { return static_cast<T*>(StatePool::local().allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { StatePool::local().deallocate(p, n * sizeof(T)); }
  friend bool operator==(const StateAllocator&, const StateAllocator&) { return true; }
};

// Helpers shared by both charts -------------------------------------------------------------

template <class Chart>
struct ChartBase : Call {
  ChartBase(Gateway& gw, Direction d) : Call(gw, d) {}
  // The chart object from the state pool (deleted through Call's virtual destructor, which
  // passes the chart's own size).
  static void* operator new(std::size_t bytes) { return StatePool::local().allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept { StatePool::local().deallocate(p, bytes); }
  std::string_view state = "Idle";
  bool processing = false;
  bool acmSent = false;       // I-chart: an ACM went to ISUP (so 200 → ANM, not CON)
  uint64_t sdpId = 0, sdpVersion = 0;
  MediaChoice media;          // the codec in use
  Timer t11, noAnswer;

  std::string_view stateName() const override { return state; }
  void enter(std::string_view s) {
    state = s;
    logEvent("enter");
  }
  sip::InviteSession* session() { return sid ? gw_.ua().find(sid) : nullptr; }
  const Gateway::Trunk& trunkRt() const { return gw_.trunk(trunk); }
  const mapping::Profile& profile() const {
    return dir_ == Direction::IsupToSip ? gw_.peer(peer).profile : trunkRt().profile;
  }
  isup::Variant variant() const { return gw_.config().isup.stack.variant; }

  // RFC 3326 / RFC 6432: every SIP message we send for a release carries the Q.850 cause.
  std::string reasonFor(uint8_t cause) const { return mapping::reasonHeaderValue(cause); }

  // Ends the ISUP side with `cause` (REL; the stack runs T1/T5 until RLC).
  bool releaseIsup(uint8_t cause) {
    if (!cid) return false;
    gw_.noteFailed(*this, cause);
    return gw_.isup().release(cid, cause);
  }
  // Refuses or ends the SIP side for an ISUP release (§7.2.4 / §8.2.7 / §10).
  void releaseSip(uint8_t cause) {
    sip::InviteSession* s = session();
    if (!s) return;
    const std::string reason = reasonFor(cause);
    if (dir_ == Direction::SipToIsup && !answered) {
      const mapping::StatusLine st = mapping::statusForCause(cause, profile());
      s->reject(st.code, st.reason, reason);
    } else if (dir_ == Direction::IsupToSip && !answered) {
      s->cancel(reason);  // §8.2.7: CANCEL before the final response
    } else {
      s->bye(reason);
    }
  }

  void dispatch(const sc::event_base& e) override {
    auto& self = static_cast<Chart&>(*this);
    if (processing) {
      self.queue(e);
      return;
    }
    processing = true;
    self.process_event(e);
    processing = false;
  }

  void unconsumed_event(const sc::event_base& e) {
    const auto* named = dynamic_cast<const NamedEvent*>(&e);
    const std::string_view name = named ? named->eventName() : "?";
    gw_.noteUnexpected(*this, name);
    if (log::enabled(log::Level::Warn))
      log::line(log::Level::Warn, tag() + " unexpected " + std::string(name));
  }
};

// A state of chart C named N: records its name on entry.
template <class S, class C, class Inner = mpl::list<>>
struct Named : sc::state<S, C, Inner> {
  using Base = sc::state<S, C, Inner>;
  explicit Named(typename Base::my_context ctx) : Base(ctx) { this->outermost_context().enter(S::kName); }
  C& call() { return this->outermost_context(); }
};

// ===========================================================================================
// SIP-originated call: RFC 3398 §7.2 (INVITE → IAM)

struct OIdle;
struct OChart : sc::state_machine<OChart, OIdle, StateAllocator<sc::none>>, ChartBase<OChart> {
  explicit OChart(Gateway& gw) : ChartBase<OChart>(gw, Direction::SipToIsup) {}
  using ChartBase<OChart>::unconsumed_event;
  void queue(const sc::event_base& e) { post_event(e); }

  // §7.2.1: our SDP answer for the circuit's media (answers the INVITE's offer), built
  // with the IAM from the offer parsed there. The 18x and the 200 carry the same SDP, same
  // o= version (RFC 3264 §8: the version changes only with the session); only a repeat
  // attempt on another circuit (before any backward message) rebuilds it, from `offer`.
  // Both texts go once the 200 is handed to the session (it keeps its copy): a held call
  // carries no SDP of its own, and its chart is a pool size class smaller without them.
  const std::string& answerSdp() {
    static const std::string kNone;
    if (!sdp) return kNone;
    if (sdp->offer.empty()) return sdp->answerBody;
    if (auto c = gw_.isup().cicOf(cid)) cic = *c;  // a repeat attempt may have moved the call
    if (sdp->answerCic != cic) {
      if (sdp->answerUsed) ++sdpVersion;
      sdp->answerBody = buildAnswer(trunkRt().cfg->media, cic, std::string_view(sdp->offer), media, sdpId, sdpVersion);
      sdp->answerCic = cic;
    }
    sdp->answerUsed = true;
    return sdp->answerBody;
  }
  struct SdpTexts {
    static void* operator new(std::size_t bytes) { return StatePool::local().allocate(bytes); }
    static void operator delete(void* p, std::size_t bytes) noexcept { StatePool::local().deallocate(p, bytes); }
    ~SdpTexts() {
      SdpBuffers::give(offer);
      SdpBuffers::give(answerBody);
    }
    std::string offer;       // the INVITE's SDP offer
    std::string answerBody;  // our SDP answer for circuit answerCic
    uint16_t answerCic = 0;
    bool answerUsed = false;  // sent in an 18x: a rebuilt answer gets the next o= version
  };
  std::unique_ptr<SdpTexts> sdp;  // until answered; none when the INVITE had no offer
  // 18x for an ACM/CPG: SDP with it when it announces in-band information (early media, RFC
  // 3398 §7.2.5 / RFC 3960), reliable when the peer supports 100rel (§5.4).
  void provisional(uint16_t code) {
    sip::InviteSession* s = session();
    if (!s) return;
    const bool early = code == 183;
    s->provisional(code, mapping::reasonPhrase(code), early ? std::string_view(answerSdp()) : std::string_view{},
                   s->peerSupports100rel());
    gw_.noteProgress(*this);
  }
  void answer() {
    if (sip::InviteSession* s = session()) s->answer(answerSdp());
    sdp.reset();
    answered = true;
    gw_.noteAnswered(*this);
  }
  // Refuses the INVITE before any ISUP call exists (§7.2.1.1 failures, no route, no circuit).
  void refuse(uint16_t status, uint8_t cause, std::string_view why) {
    if (log::enabled(log::Level::Info))
      log::line(log::Level::Info, tag() + " refused " + std::to_string(status) + " cause " +
                                      std::to_string(cause) + ": " + std::string(why));
    gw_.noteFailed(*this, cause);
    if (sip::InviteSession* s = session())
      s->reject(status, mapping::reasonPhrase(status), reasonFor(cause));
  }
};

struct ODone;
struct OReleasing;
struct OLive;
struct OTrying;
struct ONotAlerting;
struct OAlerting;
struct OWaitingForAck;
struct OConnected;

// Done: both sides are over; whatever still arrives is dropped.
struct ODone : Named<ODone, OChart> {
  static constexpr std::string_view kName = "Done";
  using reactions = sc::custom_reaction<sc::event_base>;
  // Both sides are over: the gateway forgets the call now and deletes it later.
  explicit ODone(my_context ctx) : Named(ctx) { call().gw_.retire(call()); }
  sc::result react(const sc::event_base&) { return discard_event(); }
};

struct OIdle : Named<OIdle, OChart> {
  static constexpr std::string_view kName = "Idle";
  using reactions = sc::custom_reaction<EvSipInvite>;
  using Named::Named;
  sc::result react(const EvSipInvite& e);
};

template <class S>
sc::result oIsupReleased(S& st, const EvIsupRel& e);
template <class S>
sc::result oSipGone(S& st, std::optional<uint8_t> q850);
template <class S>
sc::result oSipFailed(S& st, const EvSipFailure& e);

// The pre-answer states share their reactions: ACM only in Trying (the ISUP stack passes no
// second one), CPG → 18x (§7.2.9), ANM/CON → 200 (§7.2.7), REL → final response (§7.2.4),
// CANCEL/BYE → REL (§7.2.3).
template <class S>
struct OPreAnswer : Named<S, OChart> {
  using reactions = mpl::list<sc::custom_reaction<EvIsupAcm>, sc::custom_reaction<EvIsupCpg>,
                              sc::custom_reaction<EvIsupAnm>, sc::custom_reaction<EvIsupRel>,
                              sc::custom_reaction<EvSipCancel>, sc::custom_reaction<EvSipBye>,
                              sc::custom_reaction<EvSipFailure>, sc::custom_reaction<EvSipEnded>>;
  using Named<S, OChart>::Named;
  sc::result react(const EvIsupAcm& e) {  // §7.2.5 early ACM / §7.2.6 ACM
    if constexpr (!std::is_same_v<S, OTrying>) return this->forward_event();  // unexpected
    OChart& c = this->call();
    const uint16_t code = mapping::provisionalForAcm(*e.msg, c.profile());
    c.provisional(code);
    if (code == 180) return this->template transit<OAlerting>();
    return this->template transit<ONotAlerting>();
  }
  sc::result react(const EvIsupCpg& e) {
    if constexpr (std::is_same_v<S, OTrying>) return this->forward_event();  // CPG before ACM
    OChart& c = this->call();
    const auto code = mapping::provisionalForCpg(*e.msg, c.profile());
    if (!code) return this->discard_event();
    c.provisional(*code);
    if (*code == 180 && !std::is_same_v<S, OAlerting>) return this->template transit<OAlerting>();
    return this->discard_event();
  }
  sc::result react(const EvIsupAnm&) {  // CON in Trying: auto-answer (§7.1.2)
    this->call().answer();
    return this->template transit<OWaitingForAck>();
  }
  sc::result react(const EvIsupRel& e) { return oIsupReleased(*this, e); }
  sc::result react(const EvSipCancel& e) { return oSipGone(*this, e.q850); }
  sc::result react(const EvSipBye& e) { return oSipGone(*this, e.q850); }
  sc::result react(const EvSipFailure& e) { return oSipFailed(*this, e); }
  sc::result react(const EvSipEnded&) { return this->discard_event(); }
};

// §7.2.1: IAM sent, T7 running in the ISUP stack.
struct OTrying : OPreAnswer<OTrying> {
  static constexpr std::string_view kName = "Trying";
  using OPreAnswer::OPreAnswer;
};
// Early ACM received (§7.2.5): 183 sent, waiting for a CPG or ANM.
struct ONotAlerting : OPreAnswer<ONotAlerting> {
  static constexpr std::string_view kName = "NotAlerting";
  using OPreAnswer::OPreAnswer;
};
// ACM (subscriber free) or CPG alerting (§7.2.6, §7.2.9): 180 sent.
struct OAlerting : OPreAnswer<OAlerting> {
  static constexpr std::string_view kName = "Alerting";
  using OPreAnswer::OPreAnswer;
};

// ANM/CON received, 200 sent (§7.2.7); the UA retransmits it until the ACK.
struct OWaitingForAck : Named<OWaitingForAck, OChart> {
  static constexpr std::string_view kName = "WaitingForAck";
  using reactions = mpl::list<sc::custom_reaction<EvSipAck>, sc::custom_reaction<EvIsupRel>,
                              sc::custom_reaction<EvSipBye>, sc::custom_reaction<EvSipFailure>,
                              sc::custom_reaction<EvSipEnded>>;
  using Named::Named;
  sc::result react(const EvSipAck&) { return transit<OConnected>(); }
  sc::result react(const EvIsupRel& e);
  sc::result react(const EvSipBye& e);
  sc::result react(const EvSipFailure& e);
  sc::result react(const EvSipEnded&) { return discard_event(); }
};

struct OConnected : Named<OConnected, OChart> {
  static constexpr std::string_view kName = "Connected";
  using reactions = mpl::list<sc::custom_reaction<EvIsupRel>, sc::custom_reaction<EvSipBye>,
                              sc::custom_reaction<EvSipFailure>, sc::custom_reaction<EvSipEnded>>;
  using Named::Named;
  sc::result react(const EvIsupRel& e);
  sc::result react(const EvSipBye& e);
  sc::result react(const EvSipFailure& e);
  sc::result react(const EvSipEnded&) { return discard_event(); }
};

// Our REL is out; the ISUP call ends at RLC (or a crossing REL). The SIP side is over.
struct OReleasing : Named<OReleasing, OChart> {
  static constexpr std::string_view kName = "Releasing";
  using reactions = mpl::list<sc::custom_reaction<EvIsupRel>, sc::custom_reaction<sc::event_base>>;
  using Named::Named;
  sc::result react(const EvIsupRel&) { return transit<ODone>(); }
  sc::result react(const sc::event_base&) { return discard_event(); }
};

// The REL/BYE/CANCEL reactions every pre-answer and answered state shares.
template <class S>
sc::result oIsupReleased(S& st, const EvIsupRel& e) {  // §7.2.4, §10.2
  OChart& c = st.call();
  c.cid = 0;
  c.gw_.noteFailed(c, e.cause);  // counted only before answer
  c.releaseSip(e.cause);
  return st.template transit<ODone>();
}
template <class S>
sc::result oSipGone(S& st, std::optional<uint8_t> q850) {  // §7.2.3: CANCEL/BYE → REL 16 (or Reason)
  OChart& c = st.call();
  if (!c.releaseIsup(q850.value_or(16))) return st.template transit<ODone>();
  return st.template transit<OReleasing>();
}
template <class S>
sc::result oSipFailed(S& st, const EvSipFailure& e) {
  OChart& c = st.call();
  // No ACK / PRACK / transaction timeout: "recovery on timer expiry"; transport: "temporary failure".
  const uint8_t cause = e.why == sip::EndReason::TransportError ? 41 : 102;
  if (!c.releaseIsup(cause)) return st.template transit<ODone>();
  return st.template transit<OReleasing>();
}

sc::result OIdle::react(const EvSipInvite& e) {
  OChart& c = call();
  Gateway& gw = c.gw_;
  const sip::Message& inv = *e.invite;
  // §7.2.1.1: the called number from the Request-URI (tel URI, or sip URI user=phone).
  auto called = mapping::calledFromRequestUri(inv, gw.defaultProfile(),
                                              c.variant() == isup::Variant::Ansi);
  if (!called) {
    c.refuse(called.error().status, called.error().cause, called.error().detail);
    return transit<ODone>();
  }
  auto hit = gw.router().route(CallOrigin::Sip, called->digits);
  if (!hit || hit->kind != RouteTargetKind::Trunk) {
    ++gw.mutableCounters().noRoute;
    c.refuse(404, 3, "no route to an ISUP trunk for " + called->digits);  // Q.850 3 → 404 (§7.2.4.1)
    return transit<ODone>();
  }
  c.trunk = hit->targetIndex;
  called->digits = hit->number;
  if (hit->noa) called->noa = static_cast<uint8_t>(*hit->noa);
  const Gateway::Trunk& tr = c.trunkRt();
  gw.noteAttempt(c);

  // Media (issue #5): the offer must fit the trunk's codecs, else 488 / cause 88 or 65.
  auto body = mapping::sdpBody(inv);
  if (!body) {
    c.refuse(body.error().status, body.error().cause, body.error().detail);
    return transit<ODone>();
  }
  // The offer as the SIP stack parsed it (views into the INVITE, alive during this
  // reaction), else parsed here from c.sdp->offer: the codec choice, the IAM's bearer and
  // the answer read it within this reaction. c.sdp->offer keeps the text for a re-attempt's
  // answer.
  const sip::SessionDescription* offerSdp = nullptr;
  std::optional<Result<sip::SessionDescription, sip::ParseError>> ownParse;
  if (*body) {
    c.sdp = std::make_unique<OChart::SdpTexts>();
    c.sdp->offer = SdpBuffers::take();
    c.sdp->offer.assign(**body);
    if (e.offer != nullptr) {
      offerSdp = e.offer;
    } else if (ownParse.emplace(sip::parseSdp(c.sdp->offer)); *ownParse) {
      offerSdp = &**ownParse;
    }
  }
  if (*body) {
    MediaResult m;
    if (offerSdp) m = chooseMedia(*offerSdp, tr.cfg->media);
    if (!m.choice) {
      const uint8_t cause = m.error == MediaError::NoAudio ? 65 : 88;
      c.refuse(488, cause, std::string(mediaErrorName(m.error)));
      return transit<ODone>();
    }
    c.media = *m.choice;
  }
  c.sdpId = gw.nextSdpSessionId();
  c.sdpVersion = 1;

  mapping::SipToIsupOptions opt;
  opt.variant = c.variant();
  opt.offer = offerSdp;
  opt.trustedPeer = e.trusted;
  opt.allowClearmode = std::find(tr.cfg->media.codecs.begin(), tr.cfg->media.codecs.end(),
                                 Codec::Clearmode) != tr.cfg->media.codecs.end();
  auto iam = mapping::iamFromInvite(inv, *called, opt, tr.profile);
  if (!iam) {
    c.refuse(iam.error().status, iam.error().cause, iam.error().detail);
    return transit<ODone>();
  }
  auto setup = gw.isup().setup(tr.group, std::move(*iam));
  if (!setup) {
    // §7.2.1: no circuit → 503 (cause 34 no circuit available; 42 congestion; 27 destination
    // out of order when MTP reports it unavailable).
    uint8_t cause = 34;
    if (setup.error() == isup::SetupError::Congested) cause = 42;
    if (setup.error() == isup::SetupError::DestinationUnavailable) cause = 27;
    if (setup.error() == isup::SetupError::EncodeFailed) cause = 111;
    const mapping::StatusLine st = mapping::statusForCause(cause, tr.profile);
    c.refuse(st.code, cause, std::string(isup::setupErrorName(setup.error())));
    return transit<ODone>();
  }
  c.cid = *setup;
  c.cic = gw.isup().cicOf(c.cid).value_or(0);
  gw.bindIsup(c, c.cid);
  gw.noteSetupSent(c);
  if (offerSdp) {
    c.sdp->answerBody = SdpBuffers::take();
    appendAnswer(c.sdp->answerBody, tr.cfg->media, c.cic, *offerSdp, c.media, c.sdpId, c.sdpVersion);
    c.sdp->answerCic = c.cic;
  }
  return transit<OTrying>();
}

sc::result OWaitingForAck::react(const EvIsupRel& e) { return oIsupReleased(*this, e); }
sc::result OWaitingForAck::react(const EvSipBye& e) { return oSipGone(*this, e.q850); }
sc::result OWaitingForAck::react(const EvSipFailure& e) { return oSipFailed(*this, e); }
sc::result OConnected::react(const EvIsupRel& e) { return oIsupReleased(*this, e); }
sc::result OConnected::react(const EvSipBye& e) { return oSipGone(*this, e.q850); }
sc::result OConnected::react(const EvSipFailure& e) { return oSipFailed(*this, e); }

// ===========================================================================================
// ISUP-originated call: RFC 3398 §8.2 (IAM → INVITE)

struct IIdle;
struct IChart : sc::state_machine<IChart, IIdle, StateAllocator<sc::none>>, ChartBase<IChart> {
  explicit IChart(Gateway& gw) : ChartBase<IChart>(gw, Direction::IsupToSip) {}
  using ChartBase<IChart>::unconsumed_event;
  void queue(const sc::event_base& e) { post_event(e); }

  // §8.2.3: the first 18x → ACM (stops T11), later ones → CPG.
  void backward(uint16_t code, bool earlyMedia) {
    t11.stop();
    if (!acmSent) {
      acmSent = true;
      gw_.isup().sendAcm(cid, mapping::acmForProvisional(code, earlyMedia, variant(), profile()));
      gw_.noteProgress(*this);
    } else {
      gw_.isup().sendCpg(cid, mapping::cpgForProvisional(code, earlyMedia, variant(), profile()));
    }
  }
};

struct IDone : Named<IDone, IChart> {
  static constexpr std::string_view kName = "Done";
  using reactions = sc::custom_reaction<sc::event_base>;
  // Both sides are over: the gateway forgets the call now and deletes it later.
  explicit IDone(my_context ctx) : Named(ctx) { call().gw_.retire(call()); }
  sc::result react(const sc::event_base&) { return discard_event(); }
};
struct IReleasing : Named<IReleasing, IChart> {
  static constexpr std::string_view kName = "Releasing";
  using reactions = mpl::list<sc::custom_reaction<EvIsupRel>, sc::custom_reaction<sc::event_base>>;
  using Named::Named;
  sc::result react(const EvIsupRel&) { return transit<IDone>(); }
  sc::result react(const sc::event_base&) { return discard_event(); }
};
struct ITrying;
struct IProgressing;
struct IAlerting;
struct IConnected;

struct IIdle : Named<IIdle, IChart> {
  static constexpr std::string_view kName = "Idle";
  using reactions = sc::custom_reaction<EvIsupIam>;
  using Named::Named;
  sc::result react(const EvIsupIam& e);
};

template <class S>
sc::result iIsupReleased(S& st, const EvIsupRel& e) {  // §8.2.7: REL → CANCEL or BYE
  IChart& c = st.call();
  c.cid = 0;
  c.t11.stop();
  c.noAnswer.stop();
  c.gw_.noteFailed(c, e.cause);  // counted only before answer
  c.releaseSip(e.cause);
  return st.template transit<IDone>();
}
template <class S>
sc::result iSipRejected(S& st, const EvSipReject& e) {  // §8.2.6: 4xx–6xx → REL (Reason wins)
  IChart& c = st.call();
  c.t11.stop();
  c.noAnswer.stop();
  const uint8_t cause = e.q850 ? *e.q850 : mapping::causeForStatus(e.code, c.profile());
  if (!c.releaseIsup(cause)) return st.template transit<IDone>();
  return st.template transit<IReleasing>();
}
template <class S>
sc::result iSipGone(S& st, std::optional<uint8_t> q850, uint8_t fallback) {
  IChart& c = st.call();
  c.t11.stop();
  c.noAnswer.stop();
  if (!c.releaseIsup(q850.value_or(fallback))) return st.template transit<IDone>();
  return st.template transit<IReleasing>();
}

// Pre-answer states of the I-chart share their reactions.
template <class S>
struct IPreAnswer : Named<S, IChart> {
  using reactions = mpl::list<sc::custom_reaction<EvSipProvisional>, sc::custom_reaction<EvSipAnswer>,
                              sc::custom_reaction<EvSipReject>, sc::custom_reaction<EvSipFailure>,
                              sc::custom_reaction<EvSipBye>, sc::custom_reaction<EvSipEnded>,
                              sc::custom_reaction<EvIsupRel>, sc::custom_reaction<EvTimerT11>,
                              sc::custom_reaction<EvTimerNoAnswer>>;
  using Named<S, IChart>::Named;
  sc::result react(const EvTimerNoAnswer&) {  // call.sip_no_answer_ms: CANCEL, REL 19 (no answer)
    IChart& c = this->call();
    if (sip::InviteSession* s = c.session()) s->cancel(c.reasonFor(19));
    return iSipGone(*this, 19, 19);
  }
  sc::result react(const EvSipProvisional& e) {  // §8.2.3
    IChart& c = this->call();
    const bool early = e.response && !e.response->body().empty();
    c.backward(e.code, early);
    if (e.code == 180) return this->template transit<IAlerting>();
    if (std::is_same_v<S, ITrying>) return this->template transit<IProgressing>();
    return this->discard_event();
  }
  sc::result react(const EvSipAnswer& e);
  sc::result react(const EvSipReject& e) { return iSipRejected(*this, e); }
  sc::result react(const EvSipFailure& e) {
    return iSipGone(*this, std::nullopt, e.code ? mapping::causeForStatus(e.code, this->call().profile()) : 102);
  }
  sc::result react(const EvSipBye& e) { return iSipGone(*this, e.q850, 16); }
  sc::result react(const EvSipEnded&) { return this->discard_event(); }
  sc::result react(const EvIsupRel& e) { return iIsupReleased(*this, e); }
  sc::result react(const EvTimerT11&) {  // §8.2.8: T11 → ACM "no indication"
    IChart& c = this->call();
    if (c.acmSent) return this->discard_event();
    c.acmSent = true;
    c.gw_.isup().sendAcm(c.cid, mapping::earlyAcm(c.variant(), c.profile()));
    c.gw_.noteProgress(c);
    if (std::is_same_v<S, ITrying>) return this->template transit<IProgressing>();
    return this->discard_event();
  }
};

struct ITrying : IPreAnswer<ITrying> {  // INVITE sent, T11 running
  static constexpr std::string_view kName = "Trying";
  using IPreAnswer::IPreAnswer;
};
struct IProgressing : IPreAnswer<IProgressing> {  // 183 or T11's early ACM
  static constexpr std::string_view kName = "Progressing";
  using IPreAnswer::IPreAnswer;
};
struct IAlerting : IPreAnswer<IAlerting> {  // 180
  static constexpr std::string_view kName = "Alerting";
  using IPreAnswer::IPreAnswer;
};

struct IConnected : Named<IConnected, IChart> {
  static constexpr std::string_view kName = "Connected";
  using reactions = mpl::list<sc::custom_reaction<EvIsupRel>, sc::custom_reaction<EvSipBye>,
                              sc::custom_reaction<EvSipFailure>, sc::custom_reaction<EvSipEnded>>;
  using Named::Named;
  sc::result react(const EvIsupRel& e) { return iIsupReleased(*this, e); }
  sc::result react(const EvSipBye& e) { return iSipGone(*this, e.q850, 16); }  // §10.1
  sc::result react(const EvSipFailure&) { return iSipGone(*this, std::nullopt, 102); }
  sc::result react(const EvSipEnded&) { return discard_event(); }
};

template <class S>
sc::result IPreAnswer<S>::react(const EvSipAnswer& e) {  // §8.2.5: 200 → ANM (CON without ACM)
  IChart& c = this->call();
  c.t11.stop();
  c.noAnswer.stop();
  if (e.response && !e.response->body().empty()) {
    MediaResult m = chooseMedia(e.response->body(), c.trunkRt().cfg->media);
    if (!m.choice) {  // an answer we cannot carry: end both sides (cause 88)
      if (sip::InviteSession* s = c.session()) s->bye(c.reasonFor(88));
      if (!c.releaseIsup(88)) return this->template transit<IDone>();
      return this->template transit<IReleasing>();
    }
    c.media = *m.choice;
  }
  isup::Message ans = mapping::answerFor2xx(c.acmSent, c.variant(), c.profile());
  const bool con = ans.type == isup::MessageType::CON;
  if (con) {
    c.gw_.isup().sendCon(c.cid, std::move(ans));
  } else {
    c.gw_.isup().sendAnm(c.cid, std::move(ans));
  }
  c.answered = true;
  c.gw_.noteAnswered(c);
  return this->template transit<IConnected>();
}

sc::result IIdle::react(const EvIsupIam& e) {  // §8.2.1
  IChart& c = call();
  Gateway& gw = c.gw_;
  const isup::Message& iam = *e.iam;
  const auto* cdpn = iam.get<isup::Number>(isup::ParamCode::CalledPartyNumber);
  const std::string digits = cdpn ? std::string(cdpn->digits.view()) : std::string{};
  auto hit = gw.router().route(CallOrigin::Isup, digits);
  gw.noteAttempt(c);
  if (!hit || hit->kind != RouteTargetKind::SipPeer) {
    ++gw.mutableCounters().noRoute;
    if (log::enabled(log::Level::Info))
      log::line(log::Level::Info, c.tag() + " no SIP route for " + digits);
    c.releaseIsup(3);  // Q.850 3: no route to destination
    return transit<IReleasing>();
  }
  c.peer = hit->targetIndex;
  const Gateway::Peer& peer = gw.peer(c.peer);
  mapping::IsupToSipOptions opt;
  opt.host = gw.config().sip.host;
  opt.trustedNextHop = peer.cfg->trusted;
  auto parts = mapping::inviteFromIam(iam, opt, peer.profile);
  if (!parts) {
    c.releaseIsup(parts.error().cause);
    return transit<IReleasing>();
  }
  if (hit->number != digits || hit->noa) {  // the route rewrote the number: rebuild the URIs (§12)
    const uint8_t noa = hit->noa ? static_cast<uint8_t>(*hit->noa) : (cdpn ? cdpn->nature_of_address : 3);
    parts->requestUri = mapping::uriFromNumber(hit->number, noa, opt.host, opt.userPhone, peer.profile.numbers);
    parts->to = "<" + parts->requestUri + ">";
  }
  // Media: offer the trunk's codecs for this circuit (only CLEARMODE for 64 kbit/s unrestricted).
  const TrunkMediaConfig& mr = c.trunkRt().cfg->media;
  std::vector<Codec> codecs;
  for (Codec k : mr.codecs)
    if ((k == Codec::Clearmode) == parts->clearmode) codecs.push_back(k);
  if (codecs.empty()) {
    c.releaseIsup(65);  // bearer capability not implemented
    return transit<IReleasing>();
  }
  c.sdpId = gw.nextSdpSessionId();
  c.sdpVersion = 1;
  const std::string offer = buildOffer(mr, c.cic, codecs, c.sdpId, c.sdpVersion);
  sip::InviteSession* s = gw.ua().invite(parts->requestUri, peer.dst, parts->from, parts->to,
                                         offer, parts->extraHeaders(), parts->maxForwards);
  if (!s) {
    c.releaseIsup(41);  // temporary failure: the SIP side could not send
    return transit<IReleasing>();
  }
  s->userData = static_cast<Call*>(&c);  // the Gateway reads it back as a Call*
  c.sid = s->id();
  gw.noteSetupSent(c);
  IChart* self = &c;
  c.t11.bind(gw.clock());
  c.t11.start(gw.config().call.t11Ms, [self] { self->dispatch(EvTimerT11{}); });
  if (gw.config().call.sipNoAnswerMs) {
    c.noAnswer.bind(gw.clock());
    c.noAnswer.start(gw.config().call.sipNoAnswerMs, [self] { self->dispatch(EvTimerNoAnswer{}); });
  }
  return transit<ITrying>();
}

}  // namespace

std::size_t Gateway::bytesPerCallObject() { return std::max(sizeof(OChart), sizeof(IChart)); }

std::unique_ptr<Call> makeSipOriginatedCall(Gateway& gw) {
  auto c = std::make_unique<OChart>(gw);
  c->initiate();
  return c;
}
std::unique_ptr<Call> makeIsupOriginatedCall(Gateway& gw) {
  auto c = std::make_unique<IChart>(gw);
  c->initiate();
  return c;
}

}  // namespace siptgw::gateway
