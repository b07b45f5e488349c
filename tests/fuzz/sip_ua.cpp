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
// Script: lines (LF). The first line may be "=FLAGS" (r: require 100rel, n: no 100rel,
// t: session timers, u: session timers refreshed by re-INVITE, p: preconditions, i: accept
// an INFO package, d: 100 Trying only after 200 ms). Then records:
//   >U or >T     a message from the peer over UDP or TCP: the lines up to the next record,
//                joined with CRLF. $TAG is our tag (To tag of our last response or From tag
//                of our last request), $CID the Call-ID, $BR and $CSEQ the branch and CSeq
//                number of our last request other than ACK, $IBR and $ICSEQ those of our
//                last INVITE, $RSEQ the RSeq of our last reliable 1xx, $LEN the body's length.
//   @N           the clock N ms on.
//   !X           the application, on the newest session still up: r 180, R reliable 183 with
//                SDP, a answer, j reject 486, b BYE, c CANCEL, u UPDATE, i re-INVITE, n INFO,
//                k INFO of the package, p / q local resources ready / failed, I a new INVITE.
// The transport's own admission checks (TransportLayer's deliver(): mandatory headers, CSeq
// method, a response's Via sent-by ours) are applied as in production.
// SIPTGW_FUZZ_TRACE=1 prints, with the clock, what is received, done and sent (start lines;
// 2: whole messages sent), to read a corpus file or a crash as a call flow.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "config/timer_service.h"
#include "sip/check_message.h"
#include "sip/message.h"
#include "sip/message_ref.h"
#include "sip/user_agent.h"

using namespace siptgw::sip;

namespace {

constexpr std::string_view kSentBy = "192.0.2.1:5060";
constexpr std::string_view kSdp =
    "v=0\r\no=gw 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

const int kTrace = [] {
  const char* v = std::getenv("SIPTGW_FUZZ_TRACE");
  return v != nullptr ? std::atoi(v) : 0;
}();

void trace(const siptgw::TimerService& clock, std::string_view what, std::string_view text,
           bool whole = false) {
  if (kTrace == 0) return;
  if (!whole || kTrace < 2) text = text.substr(0, text.find('\r'));
  std::fprintf(stderr, "%llu ms, %.*s: ", static_cast<unsigned long long>(clock.nowMs()),
               static_cast<int>(what.size()), what.data());
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fputc('\n', stderr);
}

// Checks what the stack sends and remembers what the peer's script may refer to.
class Wire final : public TransportSender {
 public:
  explicit Wire(const siptgw::TimerService& c) : clock_(c) {}

  TransportErrc send(const Destination&, std::string_view bytes, std::uint64_t) override {
    if (bytes == "\r\n\r\n") return TransportErrc::Ok;  // RFC 5626 keep-alive: not a message
    trace(clock_, "sent", bytes, true);
    Message m;
    if (!m.parse(bytes).ok()) std::abort();  // invariant 2
    const char* bodyEnd = m.body().data() + m.body().size();
    if (bodyEnd != bytes.data() + bytes.size()) std::abort();
    if (m.isRequest()) {
      if (!checkMessage(bytes).ok()) std::abort();  // invariant 1
      const std::string_view method = m.method();
      if (auto t = m.from(); t && !t->tag.empty()) tag.assign(t->tag);
      if (auto c = m.callId()) callId.assign(*c);
      if (method != "ACK") {
        branch.assign(m.topVia()->branch);
        cseq = std::to_string(m.cseq()->number);
        if (method == "INVITE") {
          inviteBranch = branch;
          inviteCseq = cseq;
        }
      }
    } else {
      if (auto t = m.to(); t && !t->tag.empty()) tag.assign(t->tag);
      if (auto c = m.callId()) callId.assign(*c);
      if (auto r = m.rseq()) rseq = std::to_string(*r);
    }
    return TransportErrc::Ok;
  }
  std::string_view sentBy(TransportType, bool) const override { return kSentBy; }

  std::string tag, callId, branch, cseq, inviteBranch, inviteCseq, rseq;

 private:
  const siptgw::TimerService& clock_;
};

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

void replaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
}

// As TransportLayer's deliver() admits a received message.
bool admitted(const Message& m) {
  if (m.isRequest()) {
    return m.topVia() && m.from() && m.to() && m.callId() && m.cseq() &&
           m.cseq()->method == m.method();
  }
  if (!m.topVia() || !m.cseq() || !m.callId()) return false;
  const Via& v = *m.topVia();
  return v.host == "192.0.2.1" && v.port.value_or(5060) == 5060;
}

struct Run {
  explicit Run(Flags f) : ua(clock, wire, app, std::move(f.ua), f.txn) {}
  siptgw::ManualTimerService clock;
  Wire wire{clock};
  App app;
  UserAgent ua;

  InviteSession* newest() {
    for (auto it = app.sessions.rbegin(); it != app.sessions.rend(); ++it) {
      if (InviteSession* s = ua.find(*it)) return s;
    }
    return nullptr;
  }

  void deliver(bool tcp, std::string text) {
    const std::size_t head = text.find("\r\n\r\n");
    const std::size_t bodyLen = head == std::string::npos ? 0 : text.size() - head - 4;
    replaceAll(text, "$LEN", std::to_string(bodyLen));
    replaceAll(text, "$TAG", wire.tag);
    replaceAll(text, "$CID", wire.callId);
    replaceAll(text, "$IBR", wire.inviteBranch);
    replaceAll(text, "$ICSEQ", wire.inviteCseq);
    replaceAll(text, "$BR", wire.branch);
    replaceAll(text, "$CSEQ", wire.cseq);
    replaceAll(text, "$RSEQ", wire.rseq);
    auto rx = MessageRef::parse(text);
    const bool in = rx && admitted(**rx);
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
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos <= in.size();) {
    std::size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) nl = in.size();
    lines.push_back(in.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (in.ends_with('\n')) lines.pop_back();  // the empty "line" after the final LF
  std::size_t i = 0;
  Flags flags;
  if (!lines.empty() && lines[0].starts_with('=')) flags = parseFlags(lines[i++]);
  Run run(std::move(flags));
  std::uint64_t clockMs = 0;
  while (i < lines.size()) {
    std::string_view l = lines[i++];
    if (l.starts_with('>')) {
      std::string text;
      while (i < lines.size() && !lines[i].starts_with('>') && !lines[i].starts_with('@') &&
             !lines[i].starts_with('!')) {
        text.append(lines[i++]).append("\r\n");
      }
      run.deliver(l.size() > 1 && l[1] == 'T', std::move(text));
    } else if (l.starts_with('@')) {
      std::uint64_t ms = 0;
      for (char c : l.substr(1)) {
        if (c < '0' || c > '9' || ms > 10000000) break;
        ms = ms * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (clockMs + ms > 24ull * 3600 * 1000) return 0;  // a day of script is plenty
      clockMs += ms;
      run.clock.advance(ms);
    } else if (l.starts_with('!') && l.size() > 1) {
      run.act(l[1]);
    }
  }
  run.finish();
  return 0;
}
