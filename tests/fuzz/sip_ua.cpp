// libFuzzer target: the SIP stack's state machines, not just its parser. A script of the
// peer's messages, clock steps and the application's actions drives one UserAgent (RFC 3261
// §12-17 dialogs and transactions, RFC 3262 PRACK, RFC 3311 UPDATE, RFC 4028 session timers,
// RFC 3312 preconditions, RFC 6086 INFO) over a recording transport and a manual clock, so
// the fuzzer explores message orders and timings: a PRACK for an RSeq never sent, an UPDATE
// racing the 2xx, a BYE before the ACK, a CANCEL after the answer, retransmissions, forks.
//
// Invariants (std::abort on breach, so libFuzzer keeps the input):
//  1. every request the stack sends passes checkMessage (RFC 3261 §8.1.1 and §25: what we
//     originate is well-formed, whatever the peer sent before);
//  2. every response the stack sends parses as a SIP message whose Content-Length is its
//     body (its From/To/Call-ID/CSeq are the request's, copied as §8.2.6.2 says, so they
//     are as good as the peer made them);
//  3. nothing is lost: once the script ends, every session still up is ended the way the
//     application would (reject, CANCEL or BYE) and, ten minutes of clock later, the UA
//     holds no session, dialog binding or transaction (timers, §17 wait-outs, RFC 3262 and
//     RFC 4028 give-ups all bound how long anything may live);
//  and ASan/UBSan/LSan throughout.
//
// Script (tests/fuzz/script.h): the first line may be "=FLAGS" (r: require 100rel, n: no
// 100rel, t: session timers, u: session timers refreshed by re-INVITE, p: preconditions,
// i: accept an INFO package, d: 100 Trying only after 200 ms); >U / >T messages from the
// peer, @N clock steps, and !X the application, on the newest session still up: r 180,
// R reliable 183 with SDP, a answer, j reject 486, b BYE, c CANCEL, u UPDATE, i re-INVITE,
// n INFO, k INFO of the package, p / q local resources ready / failed, I a new INVITE.
// The transport's own admission checks (TransportLayer's deliver(): mandatory headers, CSeq
// method, a response's Via sent-by ours) are applied as in production.
// SIPTGW_FUZZ_TRACE=1 prints, with the clock, what is received, done and sent (start lines;
// 2: whole messages sent), to read a corpus file or a crash as a call flow.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/timer_service.h"
#include "sip/message.h"
#include "sip/message_ref.h"
#include "sip/user_agent.h"
#include "tests/fuzz/script.h"

using namespace siptgw::sip;
using siptgw::fuzz::admitted;
using siptgw::fuzz::kTrace;
using siptgw::fuzz::trace;
using siptgw::fuzz::Wire;

namespace {

constexpr std::string_view kHost = "192.0.2.1";  // our sent-by: kHost:5060
constexpr std::string_view kSentBy = "192.0.2.1:5060";
constexpr std::string_view kSdp =
    "v=0\r\no=gw 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

class App final : public SessionHandler {
 public:
  void onIncoming(InviteSession& s, const Message&) override { sessions.push_back(s.id()); }
  void onOffer(InviteSession&, std::string_view, std::string& answer) override {
    answer.assign(kSdp);
  }
  void onTerminated(InviteSession&, EndReason why, std::uint16_t code) override {
    if (kTrace > 0)
      std::fprintf(stderr, "session ended: %s %u\n", std::string(toString(why)).c_str(), code);
  }
  std::vector<SessionId> sessions;
};

struct Flags {
  UaConfig ua;
  TransactionConfig txn;
};

Flags parseFlags(std::string_view line) {
  Flags f;
  // clang-format off
  for (char c : line) {
    switch (c) {
      case 'r': f.ua.require100rel = true; break;
      case 'n': f.ua.support100rel = false; break;
      case 't': f.ua.sessionTimer.enabled = true; break;
      case 'u': f.ua.sessionTimer.enabled = true; f.ua.sessionTimer.preferUpdate = false; break;
      case 'p': f.ua.preconditions.enabled = f.ua.preconditions.offer = true; break;
      case 'i': f.ua.infoPackages = {"g.3gpp.mid-call"}; break;
      case 'd': f.txn.invite100DelayMs = 200; break;
      default: break;
    }
  }
  // clang-format on
  return f;
}

struct Run {
  explicit Run(Flags f) : ua(clock, wire, app, std::move(f.ua), f.txn) {}
  siptgw::ManualTimerService clock;
  Wire wire{clock, kSentBy};
  App app;
  UserAgent ua;

  InviteSession* newest() {
    for (auto it = app.sessions.rbegin(); it != app.sessions.rend(); ++it) {
      if (InviteSession* s = ua.find(*it)) return s;
    }
    return nullptr;
  }

  void deliver(bool tcp, std::string text) {
    wire.echo.fill(text);
    auto rx = MessageRef::parse(text);
    const bool in = rx && admitted(**rx, kHost);
    trace(clock, in ? "received" : "not admitted", text);
    if (!in) return;
    const Source src{tcp ? TransportType::Tcp : TransportType::Udp,
                     *Endpoint::fromIp("192.0.2.10", 5060), *Endpoint::fromIp("192.0.2.1", 5060),
                     tcp ? 7u : 0u};
    ua.transactions().onMessage(rx->mutableMessage(), src);
  }

  void act(char what) {
    if (what == 'I') {
      const Destination dst{TransportType::Udp, *Endpoint::fromIp("192.0.2.10", 5060), 0};
      if (InviteSession* s = ua.invite("sip:+15551234@192.0.2.10", dst, "<sip:gw@192.0.2.1>",
                                       "<sip:+15551234@192.0.2.10>", kSdp)) {
        app.sessions.push_back(s->id());
      }
      return;
    }
    InviteSession* s = newest();
    trace(clock, std::string("action ") + what, s ? toString(s->state()) : "no session");
    if (s == nullptr) return;
    // clang-format off
    switch (what) {
      case 'r': s->provisional(180, "Ringing"); break;
      case 'R': s->provisional(183, "Session Progress", kSdp, true); break;
      case 'a': s->answer(kSdp); break;
      case 'j': s->reject(486, "Busy Here", "Q.850;cause=17"); break;
      case 'b': s->bye("Q.850;cause=16"); break;
      case 'c': s->cancel(); break;
      case 'u': s->update(kSdp); break;
      case 'i': s->reinvite(kSdp); break;
      case 'n': s->info("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"); break;
      case 'k': s->info("application/dtmf-relay", "Signal=5\r\n", "g.3gpp.mid-call"); break;
      case 'p': s->setLocalResources(true); break;
      case 'q': s->setLocalResources(false); break;
      default: break;
    }
    // clang-format on
  }

  // Invariant 3: end what is up as the application would, then let the timers run out.
  void finish() {
    for (SessionId id : app.sessions) {
      InviteSession* s = ua.find(id);
      if (s == nullptr) continue;
      if (!s->isUac() &&
          (s->state() == SessionState::Incoming || s->state() == SessionState::Early)) {
        s->reject(480, "Temporarily Unavailable");
      } else {
        s->bye();  // a UAC before the 2xx cancels; a UAS waiting for the ACK ends after it
      }
    }
    clock.advance(600000);
    if (ua.sessionCount() != 0 || ua.dialogBindings() != 0 || ua.transactionBindings() != 0 ||
        ua.transactions().size() != 0) {
      std::fprintf(
          stderr,
          "left after 10 min: %zu sessions, %zu dialog bindings, %zu bound / %zu transactions\n",
          ua.sessionCount(), ua.dialogBindings(), ua.transactionBindings(),
          ua.transactions().size());
      for (SessionId id : app.sessions) {
        if (const InviteSession* s = ua.find(id)) {
          std::fprintf(stderr, "session %llu (%s): %s\n", static_cast<unsigned long long>(id),
                       s->isUac() ? "UAC" : "UAS", std::string(toString(s->state())).c_str());
        }
      }
      std::abort();
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;
  std::unique_ptr<Run> run;
  const bool ok = siptgw::fuzz::runScript(
      std::string_view(reinterpret_cast<const char*>(data), size),
      [&](std::string_view flags) { run = std::make_unique<Run>(parseFlags(flags)); },
      [&](bool tcp, std::string text) { run->deliver(tcp, std::move(text)); },
      [&](std::uint64_t ms) { run->clock.advance(ms); }, [&](char what) { run->act(what); });
  if (ok) run->finish();
  return 0;
}
