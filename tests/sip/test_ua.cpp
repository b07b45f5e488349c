// siptgw_test_ua: a SIP user agent on the siptgw stack (transport, transaction layer,
// UserAgent/InviteSession) with AsioTimerService, for SIPp end-to-end tests and figures.
//
// UAS mode answers calls as told; UAC mode places calls. Listens on 127.0.0.1 (port 0 picks
// one, printed as "PORT <n>"). Exits on SIGTERM/SIGINT, after --duration seconds, or (UAC)
// once all calls ended; prints "COUNTERS k=v ..." (UaStats plus process CPU time from
// getrusage) on exit.
//
//   siptgw_test_ua [--transport udp|tcp] [--port N] [--duration S]
//     UAS: [--ring 180,183,...] [--reliable] [--ring-sdp] [--answer-after MS]
//          [--reject CODE] [--require-100rel] [--bye-after MS] [--no-100rel]
//     UAC: --call URI --dest IP:PORT [--calls N] [--rate PER_S] [--hangup-after MS]
//     session features (both modes; see SessionFeatures below):
//          [--session-expires S] [--min-se S] [--refresher local|remote|auto]
//          [--refresh-with update|reinvite] [--reinvite-after MS]
//          [--preconditions] [--resources-after MS]
#include <sys/resource.h>

#include <asio.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

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
  SessionFeatures features;
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

class App final : public SessionHandler {
 public:
  App(const Options& o, TimerService& clock, asio::io_context& io) : o_(o), clock_(clock), io_(io) {}
  UserAgent* ua = nullptr;
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
  }
  void onAnswered(InviteSession& s, const Message&) override {
    scheduleReinvite(s.id());
    scheduleBye(s.id(), o_.hangupAfter);
  }
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
      o.transport = std::string(next()) == "tcp" ? TransportType::Tcp : TransportType::Udp;
    } else if (a == "--port") {
      o.port = static_cast<std::uint16_t>(std::atoi(next()));
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
  asio::io_context io;
  AsioTimerService clock(io);
  TransportConfig tcfg;
  tcfg.listeners = {{o.transport, "127.0.0.1", o.port, ""}};
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
  net.setListener(&ua.transactions());
  std::printf("PORT %u\n", static_cast<unsigned>(net.localEndpoint(o.transport, false)->port));
  std::fflush(stdout);

  // UAC: place --calls calls at --rate per second.
  int placed = 0;
  Timer pacer(clock);
  std::function<void()> place = [&] {
    if (placed >= o.calls) return;
    const std::size_t colon = o.dest.rfind(':');
    auto ep = Endpoint::fromIp(o.dest.substr(0, colon),
                               static_cast<std::uint16_t>(std::atoi(o.dest.substr(colon + 1).c_str())));
    if (!ep) {
      std::fprintf(stderr, "bad --dest %s\n", o.dest.c_str());
      io.stop();
      return;
    }
    ++placed;
    if (ua.invite(o.call, Destination{o.transport, *ep, 0}, "sip:test-ua@127.0.0.1", o.call, kSdp) == nullptr) {
      ++app.ended;
    }
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
  std::printf("COUNTERS expired=%llu reinvites_out=%llu session_refreshes=%llu\n",
              static_cast<unsigned long long>(s.expired), static_cast<unsigned long long>(s.reinvitesOut),
              static_cast<unsigned long long>(s.sessionRefreshes));
  std::fflush(stdout);
  return 0;
}
