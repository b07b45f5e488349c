// siptgw_test_ua: a SIP user agent on the siptgw stack (transport, transaction layer,
// UserAgent/InviteSession) with AsioTimerService, for SIPp end-to-end tests and figures.
//
// UAS mode answers calls as told; UAC mode places calls. Listens on 127.0.0.1 (port 0 picks
// one, printed as "PORT <n>"). Exits on SIGTERM/SIGINT, after --duration seconds, or (UAC)
// once all calls ended; prints "COUNTERS k=v ..." (UaStats plus process CPU time from
// getrusage) on exit.
//
//   siptgw_test_ua [--transport udp|tcp|tls] [--port N] [--duration S] [--udp-coalesce-us US]
//     UAS: [--ring 180,183,...] [--reliable] [--ring-sdp] [--answer-after MS]
//          [--reject CODE] [--require-100rel] [--bye-after MS] [--no-100rel]
//     UAC: --call URI --dest IP:PORT [--calls N] [--rate PER_S] [--hangup-after MS]
//     session features (both modes; see SessionFeatures below):
//          [--session-expires S] [--min-se S] [--refresher local|remote|auto]
//          [--refresh-with update|reinvite] [--reinvite-after MS]
//          [--preconditions] [--resources-after MS]
//          [--cancel-after MS]
//     both (E2eActions below, for the SIPp UPDATE/INFO/100rel/TLS scenarios):
//          [--update-early MS] [--update-confirmed MS] [--info-confirmed MS]
//          [--tls-cert PEM --tls-key PEM [--tls-ca PEM]] [--tls-server-name NAME (UAC: the
//          host name --dest must prove, RFC 5922 §7)]
//   Besides COUNTERS, prints "MSGS k=v ..." (E2eActions): what the handler saw (offer_rx,
//   info_rx, prack_rx, provisional_rx), what it sent (update_tx, info_tx) and the raw counts
//   of messages received per method / per method and status (rx_UPDATE, rx_INFO_200...).
#include <sys/resource.h>

#include <asio.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/huge_heap.h"
#include "config/timer_service.h"
#include "sip/transport.h"
#include "sip/user_agent.h"

namespace {

using namespace siptgw;
using namespace siptgw::sip;

const char* const kSdp =
    "v=0\r\no=siptgw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n";

// ---- Session features (issue 3: session timers, re-INVITE, preconditions), kept apart
// from the basic options so that changes to either merge cleanly.
// A re-INVITE offer: the same session moved to another port, next o= version.
const char* const kSdpMoved =
    "v=0\r\no=siptgw 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

struct SessionFeatures {
  std::uint32_t sessionExpires = 0;  // 0: no session timer
  std::uint32_t minSE = 90;
  RefresherPref refresher = RefresherPref::Local;
  bool refreshWithUpdate = true;
  int reinviteAfter = -1;  // ms after the call is confirmed
  bool preconditions = false;
  int resourcesAfter = 100;  // ms after the INVITE until our qos resources are "reserved"

  // Consumes argv[i] (and its value) when it is one of ours.
  bool parse(const std::string& a, const std::function<const char*()>& next) {
    if (a == "--session-expires") {
      sessionExpires = static_cast<std::uint32_t>(std::atoi(next()));
    } else if (a == "--min-se") {
      minSE = static_cast<std::uint32_t>(std::atoi(next()));
    } else if (a == "--refresher") {
      const std::string v = next();
      refresher = v == "remote" ? RefresherPref::Remote : v == "auto" ? RefresherPref::Auto : RefresherPref::Local;
    } else if (a == "--refresh-with") {
      refreshWithUpdate = std::string(next()) != "reinvite";
    } else if (a == "--reinvite-after") {
      reinviteAfter = std::atoi(next());
    } else if (a == "--preconditions") {
      preconditions = true;
    } else if (a == "--resources-after") {
      resourcesAfter = std::atoi(next());
    } else {
      return false;
    }
    return true;
  }
  // RFC 4028 forbids a Min-SE below 90 s on the wire; validate() enforces the table's range.
  bool apply(UaConfig& u, TransactionConfig& t) const {
    if (sessionExpires != 0) {
      u.sessionTimer.enabled = true;
      u.sessionTimer.refresher = refresher;
      u.sessionTimer.preferUpdate = refreshWithUpdate;
      t.timers.sessionExpires = sessionExpires;
      t.timers.minSE = minSE;
    }
    u.preconditions.enabled = preconditions;
    if (auto r = validate(t.timers); !r) {
      std::fprintf(stderr, "%s\n", r.error().message.c_str());
      return false;
    }
    return true;
  }
};

struct Options {
  TransportType transport = TransportType::Udp;
  std::uint16_t port = 0;
  int duration = 60;
  std::vector<std::uint16_t> ring;
  bool reliable = false, ringSdp = false, require100rel = false, no100rel = false;
  int answerAfter = 0;
  std::uint16_t reject = 0;
  int byeAfter = -1;
  std::string call, dest;
  int calls = 1;
  int rate = 10;
  int hangupAfter = 1000;
  std::uint32_t udpCoalesceUs = 0;
  SessionFeatures features;
  // E2eActions
  int cancelAfter = -1, updateEarly = -1, updateConfirmed = -1, infoConfirmed = -1;
  std::string tlsCert, tlsKey, tlsCa, tlsServerName;
};

std::string_view reasonFor(std::uint16_t code) {
  switch (code) {
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 404: return "Not Found";
    case 480: return "Temporarily Unavailable";
    case 486: return "Busy Here";
    case 503: return "Service Unavailable";
    case 603: return "Decline";
    default: return "Whatever";
  }
}

// ---- E2eActions: the UPDATE / INFO / CANCEL actions and message counts the SIPp
// scenarios of issue 3 check (uac_update*.xml, uac_info.xml, uas_100rel*.xml, TLS pairs).
const char* const kSdpUpdate =
    "v=0\r\no=siptgw 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30002 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";

// Counts every message the transport delivers (retransmissions included) before handing
// it to the transaction layer: rx_<METHOD> for requests, rx_<METHOD>_<code> for responses.
// It sits on the path the load figure (sipp_ua_load.sh) measures, so a message costs a scan
// of the few kinds seen so far and no allocation; the names are built when printed.
class MessageCounter final : public TransportListener {
 public:
  explicit MessageCounter(TransportListener& next) : next_(next) {}
  void onMessage(Message& m, const Source& src) override {
    std::string_view method;
    std::uint16_t status = 0;
    if (m.isRequest()) {
      method = m.method();
    } else if (m.cseq()) {
      method = m.cseq()->method;
      status = m.statusCode();
    }
    count(method, status);
    next_.onMessage(m, src);
  }
  void onSendFailed(std::uint64_t cookie, TransportErrc why) override { next_.onSendFailed(cookie, why); }
  std::map<std::string, unsigned long long> counts() const {
    std::map<std::string, unsigned long long> out;  // printed in name order
    for (const Kind& k : kinds_) {
      std::string key = "rx_" + k.method;
      if (k.status != 0) key.append("_").append(std::to_string(k.status));
      out[key] += k.n;
    }
    return out;
  }

 private:
  struct Kind {
    std::string method;
    std::uint16_t status;
    unsigned long long n;
  };
  void count(std::string_view method, std::uint16_t status) {
    for (Kind& k : kinds_) {
      if (k.status == status && k.method == method) {
        ++k.n;
        return;
      }
    }
    kinds_.push_back(Kind{std::string(method), status, 1});
  }
  TransportListener& next_;
  std::vector<Kind> kinds_;
};

class E2eActions {
 public:
  E2eActions(const Options& o, TimerService& clock) : o_(o), clock_(clock) {}
  UserAgent* ua = nullptr;

  void onPlaced(InviteSession* s) {
    if (s != nullptr) after(s->id(), o_.cancelAfter, [](InviteSession& x) { x.cancel("SIP;cause=487;text=\"test UA cancels\""); });
  }
  // UAS: the first PRACK; UAC: the first reliable provisional (our PRACK follows at once).
  void onPrack(InviteSession& s) {
    ++prackRx_;
    earlyUpdate(s);
  }
  void onProvisional(InviteSession& s, const Message& rsp) {
    ++provisionalRx_;
    if (rsp.rseq()) earlyUpdate(s);
  }
  void onConfirmed(InviteSession& s) {
    after(s.id(), o_.updateConfirmed, [this](InviteSession& x) { sendUpdate(x); });
    after(s.id(), o_.infoConfirmed, [this](InviteSession& x) {
      if (x.info("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n")) ++infoTx_;
    });
  }
  void onInfo() { ++infoRx_; }
  void onOffer(std::string& answer) {
    // Every remote offer after the INVITE's (UPDATE, re-INVITE, PRACK) answered with the
    // second SDP, so the peer can tell the answer from our first one.
    ++offerRx_;
    answer = kSdpUpdate;
  }
  void print(const MessageCounter& mc) const {
    std::printf("MSGS update_tx=%llu offer_rx=%llu info_tx=%llu info_rx=%llu prack_rx=%llu provisional_rx=%llu r491=%llu",
                updateTx_, offerRx_, infoTx_, infoRx_, prackRx_, provisionalRx_,
                static_cast<unsigned long long>(ua->stats().responses491));
    for (const auto& [k, v] : mc.counts()) std::printf(" %s=%llu", k.c_str(), v);
    std::printf("\n");
  }

 private:
  void earlyUpdate(InviteSession& s) {
    if (o_.updateEarly < 0 || !earlyDone_.insert(s.id()).second) return;
    after(s.id(), o_.updateEarly, [this](InviteSession& x) {
      if (x.state() == SessionState::Early || x.state() == SessionState::Incoming) sendUpdate(x);
    });
  }
  void sendUpdate(InviteSession& s) {
    if (s.update(kSdpUpdate)) ++updateTx_;
  }
  template <typename F>
  void after(SessionId id, int ms, F f) {
    if (ms < 0) return;
    clock_.start(static_cast<std::uint32_t>(ms), [this, id, f] {
      if (InviteSession* x = ua->find(id)) f(*x);
    });
  }
  const Options& o_;
  TimerService& clock_;
  std::set<SessionId> earlyDone_;
  unsigned long long updateTx_ = 0, offerRx_ = 0, infoTx_ = 0, infoRx_ = 0, prackRx_ = 0, provisionalRx_ = 0;
};

bool parseE2eArg(const std::string& a, const std::function<const char*()>& next, Options& o) {
  if (a == "--cancel-after") o.cancelAfter = std::atoi(next());
  else if (a == "--update-early") o.updateEarly = std::atoi(next());
  else if (a == "--update-confirmed") o.updateConfirmed = std::atoi(next());
  else if (a == "--info-confirmed") o.infoConfirmed = std::atoi(next());
  else if (a == "--tls-cert") o.tlsCert = next();
  else if (a == "--tls-key") o.tlsKey = next();
  else if (a == "--tls-ca") o.tlsCa = next();
  else if (a == "--tls-server-name") o.tlsServerName = next();
  else return false;
  return true;
}
// --dest as an Endpoint (nullopt when it is not IP:PORT).
std::optional<Endpoint> destEndpoint(const std::string& dest) {
  const std::size_t colon = dest.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  return Endpoint::fromIp(dest.substr(0, colon), static_cast<std::uint16_t>(std::atoi(dest.substr(colon + 1).c_str())));
}
// ---- end of E2eActions

class App final : public SessionHandler {
 public:
  App(const Options& o, TimerService& clock, asio::io_context& io) : e2e(o, clock), o_(o), clock_(clock), io_(io) {}
  UserAgent* ua = nullptr;
  E2eActions e2e;
  int ended = 0;

  void onIncoming(InviteSession& s, const Message&) override {
    if (s.preconditions() != nullptr) return startPreconditions(s);
    ringAndAnswer(s);
  }
  void onPreconditionsMet(InviteSession& s) override {
    if (!s.isUac()) ringAndAnswer(s);  // RFC 3312: alert only now
  }
  void onConfirmed(InviteSession& s) override {
    scheduleReinvite(s.id());
    scheduleBye(s.id(), o_.byeAfter);
    e2e.onConfirmed(s);
  }
  void onAnswered(InviteSession& s, const Message&) override {
    scheduleReinvite(s.id());
    scheduleBye(s.id(), o_.hangupAfter);
    e2e.onConfirmed(s);
  }
  void onProvisional(InviteSession& s, const Message& rsp) override { e2e.onProvisional(s, rsp); }
  void onPrack(InviteSession& s, const Message&) override { e2e.onPrack(s); }
  void onInfo(InviteSession&, const Message&, std::string_view) override { e2e.onInfo(); }
  void onOffer(InviteSession&, std::string_view, std::string& answer) override { e2e.onOffer(answer); }
  void onTerminated(InviteSession&, EndReason, std::uint16_t) override {
    ++ended;
    // UAC: all calls done; linger past the peer's end-of-call wait (SIPp's uas scenario
    // pauses 4 s) so our TCP connection does not close under its last call.
    if (!o_.call.empty() && ended >= o_.calls) clock_.start(5000, [this] { io_.stop(); });
  }

 private:
  // --- session features
  void startPreconditions(InviteSession& s) {
    // The answer in a reliable 183 (RFC 3312 §6), our reservation a little later.
    s.provisional(183, "Session Progress", kSdp, true);
    const SessionId id = s.id();
    clock_.start(static_cast<std::uint32_t>(o_.features.resourcesAfter), [this, id] {
      if (InviteSession* x = ua->find(id)) x->setLocalResources(true);
    });
  }
  void scheduleReinvite(SessionId id) {
    if (o_.features.reinviteAfter < 0) return;
    clock_.start(static_cast<std::uint32_t>(o_.features.reinviteAfter), [this, id] {
      if (InviteSession* x = ua->find(id)) x->reinvite(kSdpMoved);
    });
  }

  // --- basic
  void ringAndAnswer(InviteSession& s) {
    for (std::uint16_t code : o_.ring) {
      s.provisional(code, reasonFor(code), o_.ringSdp || code == 183 ? std::string_view(kSdp) : std::string_view{},
                    o_.reliable);
    }
    const SessionId id = s.id();
    auto act = [this, id] {
      InviteSession* x = ua->find(id);
      if (x == nullptr) return;
      if (o_.reject != 0) {
        x->reject(o_.reject, reasonFor(o_.reject), o_.reject == 486 ? "Q.850;cause=17" : "");
      } else {
        x->answer(kSdp);
      }
    };
    if (o_.answerAfter <= 0) {
      act();
    } else {
      clock_.start(static_cast<std::uint32_t>(o_.answerAfter), act);
    }
  }
  void scheduleBye(SessionId id, int ms) {
    if (ms < 0) return;
    clock_.start(static_cast<std::uint32_t>(ms), [this, id] {
      if (InviteSession* x = ua->find(id)) x->bye("SIP;cause=200;text=\"test UA hangup\"");
    });
  }
  const Options& o_;
  TimerService& clock_;
  asio::io_context& io_;
};

bool parseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--transport") {
      const std::string t = next();
      o.transport = t == "tls" ? TransportType::Tls : t == "tcp" ? TransportType::Tcp : TransportType::Udp;
    } else if (a == "--port") {
      o.port = static_cast<std::uint16_t>(std::atoi(next()));
    } else if (a == "--udp-coalesce-us") {
      o.udpCoalesceUs = static_cast<std::uint32_t>(std::atoi(next()));
    } else if (a == "--duration") {
      o.duration = std::atoi(next());
    } else if (a == "--ring") {
      std::string v = next();
      for (std::size_t p = 0; p < v.size();) {
        std::size_t c = v.find(',', p);
        if (c == std::string::npos) c = v.size();
        o.ring.push_back(static_cast<std::uint16_t>(std::atoi(v.substr(p, c - p).c_str())));
        p = c + 1;
      }
    } else if (a == "--reliable") {
      o.reliable = true;
    } else if (a == "--ring-sdp") {
      o.ringSdp = true;
    } else if (a == "--answer-after") {
      o.answerAfter = std::atoi(next());
    } else if (a == "--reject") {
      o.reject = static_cast<std::uint16_t>(std::atoi(next()));
    } else if (a == "--require-100rel") {
      o.require100rel = true;
    } else if (a == "--no-100rel") {
      o.no100rel = true;
    } else if (a == "--bye-after") {
      o.byeAfter = std::atoi(next());
    } else if (a == "--call") {
      o.call = next();
    } else if (a == "--dest") {
      o.dest = next();
    } else if (a == "--calls") {
      o.calls = std::atoi(next());
    } else if (a == "--rate") {
      o.rate = std::atoi(next());
    } else if (a == "--hangup-after") {
      o.hangupAfter = std::atoi(next());
    } else if (o.features.parse(a, next)) {
    } else if (parseE2eArg(a, next, o)) {
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parseArgs(argc, argv, o)) return 2;
  // As siptgw run does (config/huge_heap.h).
  if (const HugeHeap h = adviseHugePageHeap(128u << 20); h.bytes == 0)
    std::fprintf(stderr, "heap: on 4 KiB pages (%s)\n", h.problem.c_str());
  asio::io_context io{ASIO_CONCURRENCY_HINT_UNSAFE_IO};  // one thread does all the I/O
  AsioTimerService clock(io);
  TransportConfig tcfg;
  tcfg.listeners = {{o.transport, "127.0.0.1", o.port, ""}};
  tcfg.udpCoalesceUs = o.udpCoalesceUs;
  tcfg.tls.certificateFile = o.tlsCert;
  tcfg.tls.privateKeyFile = o.tlsKey;
  tcfg.tls.caFile = o.tlsCa;
  tcfg.tls.verifyPeer = !o.tlsCa.empty();
  if (auto ep = destEndpoint(o.dest); ep && !o.tlsServerName.empty()) tcfg.tls.serverNames = {{*ep, o.tlsServerName}};
  TransportLayer net(io, clock, tcfg);
  if (auto r = net.start(); !r) {
    std::fprintf(stderr, "%s\n", r.error().c_str());
    return 1;
  }
  App app(o, clock, io);
  UaConfig ucfg;
  ucfg.product = "siptgw-test-ua";
  ucfg.require100rel = o.require100rel;
  ucfg.support100rel = !o.no100rel;
  TransactionConfig txnCfg;
  if (!o.features.apply(ucfg, txnCfg)) return 2;
  UserAgent ua(clock, net, app, ucfg, txnCfg);
  app.ua = &ua;
  app.e2e.ua = &ua;
  MessageCounter counter(ua.transactions());
  net.setListener(&counter);
  std::printf("PORT %u\n", static_cast<unsigned>(net.localEndpoint(o.transport, false)->port));
  std::fflush(stdout);

  // UAC: place --calls calls at --rate per second.
  int placed = 0;
  Timer pacer(clock);
  std::function<void()> place = [&] {
    if (placed >= o.calls) return;
    auto ep = destEndpoint(o.dest);
    if (!ep) {
      std::fprintf(stderr, "bad --dest %s\n", o.dest.c_str());
      io.stop();
      return;
    }
    ++placed;
    InviteSession* s = ua.invite(o.call, Destination{o.transport, *ep, 0}, "sip:test-ua@127.0.0.1", o.call, kSdp);
    if (s == nullptr) ++app.ended;
    app.e2e.onPlaced(s);
    pacer.start(static_cast<std::uint32_t>(1000 / (o.rate > 0 ? o.rate : 1)), place);
  };
  if (!o.call.empty()) clock.post(place);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code&, int) { io.stop(); });
  io.run_for(std::chrono::seconds(o.duration));

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const long long userUs = ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec;
  const long long sysUs = ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
  const long long cpuUs = userUs + sysUs;
  const UaStats& s = ua.stats();
  const unsigned long long calls = s.completed + s.rejected + s.cancelled;
  std::printf(
      "COUNTERS invites_in=%llu invites_out=%llu answered=%llu confirmed=%llu completed=%llu "
      "rejected=%llu cancelled=%llu failed=%llu prack_in=%llu prack_out=%llu rel1xx_retx=%llu "
      "ok2xx_retx=%llu ack_resent=%llu r481=%llu r500=%llu r420=%llu r421=%llu sessions=%zu "
      "cpu_us=%lld user_us=%lld sys_us=%lld cpu_us_per_call=%.1f\n",
      static_cast<unsigned long long>(s.invitesIn), static_cast<unsigned long long>(s.invitesOut),
      static_cast<unsigned long long>(s.answered), static_cast<unsigned long long>(s.confirmed),
      static_cast<unsigned long long>(s.completed), static_cast<unsigned long long>(s.rejected),
      static_cast<unsigned long long>(s.cancelled), static_cast<unsigned long long>(s.failed),
      static_cast<unsigned long long>(s.prackIn), static_cast<unsigned long long>(s.prackOut),
      static_cast<unsigned long long>(s.rel1xxRetransmits), static_cast<unsigned long long>(s.ok2xxRetransmits),
      static_cast<unsigned long long>(s.ackResent), static_cast<unsigned long long>(s.responses481),
      static_cast<unsigned long long>(s.responses500), static_cast<unsigned long long>(s.responses420),
      static_cast<unsigned long long>(s.responses421), ua.sessionCount(), cpuUs, userUs, sysUs,
      calls ? static_cast<double>(cpuUs) / static_cast<double>(calls) : 0.0);
  app.e2e.print(counter);
  std::printf("COUNTERS expired=%llu reinvites_out=%llu session_refreshes=%llu\n",
              static_cast<unsigned long long>(s.expired), static_cast<unsigned long long>(s.reinvitesOut),
              static_cast<unsigned long long>(s.sessionRefreshes));
  std::fflush(stdout);
  return 0;
}
