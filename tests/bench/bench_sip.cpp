// SIP message layer benchmarks (figures only, never pass/fail — DESIGN.md "Tests"):
//   BM_ParseInvite         parse a typical ~900-byte INVITE with SDP + typed Via/From/To/CSeq
//   BM_ParseInviteScanOnly the header scan alone
//   BM_Build200Ok          build a typical 200 OK for that INVITE into a reused std::string
//   BM_SerializeParsed     re-serialise the parsed INVITE into a reused std::string
//   BM_ParseSdp            parse the INVITE's SDP body
//   BM_UaBasicCall         one whole UAS call through the stack in-process (transport
//                          parse, transactions, dialog, session, every response built):
//                          the CPU siptgw_test_ua spends per SIPp call, without the kernel
//   BM_UaBasicCallAfterWake the same calls, each of the three requests handled straight after
//                          the process slept and was woken (a 100 us nanosleep), as in the
//                          real run, where the UA sleeps ~1.7 times per call: its counter
//                          work_us_per_call is the stack's CPU for one call (thread CPU
//                          clock around each handling, the clock's own cost taken off)
//                          when it starts each time with the caches a wake-up leaves
//   BM_UaCleanup           the end of 10,000 such calls: their transactions' 32 s wait-outs
//                          (Timer J/L) run out, 100 ms of the clock per step as the linger
//                          lanes do; cleanup_us_per_call is the CPU of those steps per call
//   BM_UaCleanupAfterSleep the same with a 100 ms sleep before each step, as in the settle
//                          of tests/bench/sipp_ua_load.sh, where that cleanup meets memory
//                          out of every cache
#include <benchmark/benchmark.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <tuple>

#include "config/timer_service.h"
#include "sip/message.h"
#include "sip/message_builder.h"
#include "sip/message_ref.h"
#include "sip/sdp.h"
#include "sip/user_agent.h"

namespace {

using namespace siptgw::sip;

const std::string kSdp =
    "v=0\r\n"
    "o=- 3868213497 3868213497 IN IP4 198.51.100.10\r\n"
    "s=-\r\n"
    "c=IN IP4 198.51.100.10\r\n"
    "t=0 0\r\n"
    "m=audio 40000 RTP/AVP 8 0 101\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

std::string makeInvite() {
  std::string m =
      "INVITE sip:+4930123456@gw.carrier.example.net:5060;user=phone SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK-524287-1---a7b8c9d0e1f2a3b4;rport\r\n"
      "Max-Forwards: 70\r\n"
      "From: \"Alice Caller\" <sip:+4940111222@sbc.example.com;user=phone>;tag=as5f3d2c1b\r\n"
      "To: <sip:+4930123456@gw.carrier.example.net;user=phone>\r\n"
      "Call-ID: 4f6c2a9e1d8b7c3a5e0f@198.51.100.10\r\n"
      "CSeq: 102 INVITE\r\n"
      "Contact: <sip:+4940111222@198.51.100.10:5060;transport=udp>\r\n"
      "Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, INFO, OPTIONS, REFER, NOTIFY\r\n"
      "Supported: 100rel, timer, replaces, precondition\r\n"
      "P-Asserted-Identity: \"Alice Caller\" <sip:+4940111222@sbc.example.com;user=phone>\r\n"
      "Content-Type: application/sdp\r\n"
      "Content-Length: ";
  m += std::to_string(kSdp.size());
  m += "\r\n\r\n";
  m += kSdp;
  return m;
}

void BM_ParseInvite(benchmark::State& state) {
  const std::string wire = makeInvite();
  Message m;
  for (auto _ : state) {
    auto r = m.parse(wire);
    const auto& via = m.topVia();
    const auto& from = m.from();
    const auto& to = m.to();
    const auto& cseq = m.cseq();
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(via->branch.data());
    benchmark::DoNotOptimize(from->tag.data());
    benchmark::DoNotOptimize(to->uri.sip.host.data());
    benchmark::DoNotOptimize(cseq->number);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
  state.counters["bytes"] = static_cast<double>(wire.size());
}
BENCHMARK(BM_ParseInvite);

void BM_ParseInviteScanOnly(benchmark::State& state) {
  const std::string wire = makeInvite();
  Message m;
  for (auto _ : state) {
    auto r = m.parse(wire);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_ParseInviteScanOnly);

void BM_Build200Ok(benchmark::State& state) {
  const std::string wire = makeInvite();
  Message req;
  if (!req.parse(wire).ok()) {
    state.SkipWithError("parse failed");
    return;
  }
  std::string out;
  out.reserve(2048);
  for (auto _ : state) {
    out.clear();
    MessageBuilder b(out, 0);
    appendResponseFor(b, req, 200, "OK", "gw-7f3a9c")
        .header(HeaderId::Contact, "<sip:gw.carrier.example.net:5060;transport=udp>")
        .header(HeaderId::Allow, "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, INFO, OPTIONS")
        .header(HeaderId::Supported, "100rel, timer")
        .finish(kSdp, "application/sdp");
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Build200Ok);

void BM_SerializeParsed(benchmark::State& state) {
  const std::string wire = makeInvite();
  Message m;
  if (!m.parse(wire).ok()) {
    state.SkipWithError("parse failed");
    return;
  }
  std::string out;
  out.reserve(2048);
  for (auto _ : state) {
    out.clear();
    serialize(m, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_SerializeParsed);

void BM_ParseSdp(benchmark::State& state) {
  for (auto _ : state) {
    auto r = parseSdp(kSdp);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseSdp);

// --- BM_UaBasicCall: the call tests/bench/sipp_ua_load.sh measures (SIPp's messages, the
// test UA's answers: 180, 200 to the INVITE, which it rings and answers at once so no 100
// Trying goes out (RFC 3261 §17.2.1), 200 to the BYE), one call per iteration
// (formatting the three requests included), the clock 1 ms on per call as at 1,000 calls/s
// so the transactions' 32 s wait-outs (Timer J, L) run and ~32,000 calls' worth of them
// stay pending, as in the real run.

const char kUaSdp[] =
    "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

// Sends nowhere; keeps the To tag of the last 2xx to an INVITE (for the ACK and BYE).
class ToTagSink final : public TransportSender {
 public:
  TransportErrc send(const Destination&, std::string_view bytes, std::uint64_t) override {
    ++sent;
    if (bytes.starts_with("SIP/2.0 200") && bytes.find("CSeq: 1 INVITE") != std::string_view::npos) {
      // No tag (never from this UA) leaves it empty: the ACK then fails to match and the
      // benchmark reports the calls as not completed.
      std::size_t to = bytes.find("\r\nTo:");
      std::size_t tag = to == std::string_view::npos ? to : bytes.find(";tag=", to);
      std::size_t end = tag == std::string_view::npos ? tag : bytes.find("\r\n", tag);
      toTag.assign(end == std::string_view::npos ? std::string_view{} : bytes.substr(tag + 5, end - tag - 5));
    }
    return TransportErrc::Ok;
  }
  std::string_view sentBy(TransportType, bool) const override { return "127.0.0.1:5060"; }
  std::string toTag;
  std::uint64_t sent = 0;
};

class AnswerAtOnce final : public SessionHandler {
 public:
  void onIncoming(InviteSession& s, const Message&) override {
    s.provisional(180, "Ringing");
    s.answer(kUaSdp);
  }
  void onTerminated(InviteSession&, EndReason, std::uint16_t) override { ++ended; }
  std::uint64_t ended = 0;
};

// Thread CPU time in ns (a system call here, not the vDSO).
std::uint64_t threadCpuNs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<std::uint64_t>(t.tv_sec) * 1000000000u + static_cast<std::uint64_t>(t.tv_nsec);
}

// The test UA's side of the bench's calls, in-process: SIPp's requests formatted and handed
// to the transaction layer as the transport would. With `sleepUs` > 0 each request is
// handled after a sleep of that long, and the handling alone is timed on the thread's CPU
// clock (workNs, timed).
struct UaCalls {
  explicit UaCalls(long sleep) : sleepUs(sleep) {}
  siptgw::ManualTimerService clock;
  ToTagSink net;
  AnswerAtOnce handler;
  UserAgent ua{clock, net, handler};
  const Source src{TransportType::Udp, *Endpoint::fromIp("127.0.0.1", 5061), *Endpoint::fromIp("127.0.0.1", 5060),
                   0};
  char buf[2048];
  long sleepUs;
  bool parsed = true;
  std::uint64_t calls = 0, workNs = 0, timed = 0;

  void deliver(int n) {
    std::uint64_t t0 = 0;
    if (sleepUs > 0) {
      const timespec pause{0, sleepUs * 1000};
      nanosleep(&pause, nullptr);
      t0 = threadCpuNs();
    }
    auto rx = MessageRef::parse(std::string_view(buf, static_cast<std::size_t>(n)));
    if (!rx) {
      parsed = false;
      return;
    }
    ua.transactions().onMessage(rx->mutableMessage(), src);
    if (sleepUs > 0) {
      workNs += threadCpuNs() - t0;
      ++timed;
    }
  }

  // One call: INVITE, ACK, BYE; then the clock 1 ms on, as at 1,000 calls/s.
  void call() {
    ++calls;
    char head[256];
    std::snprintf(head, sizeof head,
                  "From: sipp <sip:sipp@127.0.0.1:5061>;tag=%luSIPpTag00%lu\r\n"
                  "Call-ID: %lu-1234@127.0.0.1\r\n",
                  4242ul, calls, calls);
    int n = std::snprintf(buf, sizeof buf,
                          "INVITE sip:+15551234@127.0.0.1:5060 SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-%lu-0\r\n%s"
                          "To: <sip:+15551234@127.0.0.1:5060>\r\nCSeq: 1 INVITE\r\n"
                          "Contact: <sip:sipp@127.0.0.1:5061;transport=UDP>\r\nMax-Forwards: 70\r\n"
                          "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
                          calls, head, sizeof kUaSdp - 1, kUaSdp);
    deliver(n);
    // The ACK for the 2xx and the BYE: in the dialog, each its own branch (RFC 3261 §17.1.1.3).
    for (const auto& [method, cseq, branch] : {std::tuple{"ACK", 1, '5'}, std::tuple{"BYE", 2, '8'}}) {
      n = std::snprintf(buf, sizeof buf,
                        "%s sip:+15551234@127.0.0.1:5060 SIP/2.0\r\n"
                        "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-%lu-%c\r\n%s"
                        "To: <sip:+15551234@127.0.0.1:5060>;tag=%s\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\n"
                        "Content-Length: 0\r\n\r\n",
                        method, calls, branch, head, net.toTag.c_str(), cseq, method);
      deliver(n);
    }
    clock.advance(1);
  }

  // Marks the benchmark failed unless every call went INVITE/180/200/ACK/BYE/200.
  bool check(benchmark::State& state) const {
    if (!parsed) {
      state.SkipWithError("a benchmark message did not parse");
    } else if (handler.ended != calls || net.sent != 3 * calls) {
      state.SkipWithError("calls did not complete as INVITE/180/200/ACK/BYE/200");
    } else {
      return true;
    }
    return false;
  }
};

// What one thread CPU clock reading costs (taken off timed intervals that hold one).
double clockReadingNs() {
  constexpr int kReadings = 1000;
  const std::uint64_t c0 = threadCpuNs();
  for (int i = 0; i < kReadings; ++i) benchmark::DoNotOptimize(threadCpuNs());
  return static_cast<double>(threadCpuNs() - c0) / kReadings;
}

// One UAS call per iteration; with `sleepUs` > 0 each request is handled after a sleep of
// that long, and the handling alone is timed on the thread's CPU clock.
void runUaCalls(benchmark::State& state, long sleepUs) {
  UaCalls c(sleepUs);
  for (auto _ : state) {
    c.call();
    if (!c.parsed) break;
  }
  if (!c.check(state)) return;
  state.counters["responses_per_call"] =
      static_cast<double>(c.net.sent) / static_cast<double>(c.calls);
  if (sleepUs > 0 && c.calls > 0) {
    // Each timed interval also holds about one clock reading (the end of the first, the
    // start of the second): what one costs is taken off each timed handling.
    const double perCall =
        (static_cast<double>(c.workNs) - clockReadingNs() * static_cast<double>(c.timed)) /
        static_cast<double>(c.calls);
    state.counters["work_us_per_call"] = perCall / 1000.0;
  }
}

void BM_UaBasicCall(benchmark::State& state) { runUaCalls(state, 0); }
// 40,000 calls: past the 32 s (32,000 calls) after which as many transactions end as start.
BENCHMARK(BM_UaBasicCall)->Iterations(40000);

void BM_UaBasicCallAfterWake(benchmark::State& state) { runUaCalls(state, 100); }
// Fewer calls, as each sleeps three times: 10 s of the bench's clock, so no transaction has
// reached its 32 s wait-out yet and the pending set is a third of BM_UaBasicCall's.
BENCHMARK(BM_UaBasicCallAfterWake)->Iterations(10000);

// --- The end of the calls: each call leaves two transactions waiting out 32 s (Timer L for
// the INVITE's 2xx, RFC 6026 §7.1; Timer J for the BYE, RFC 3261 §17.2.2), ended in batches
// by the layer's linger lanes every `lingerSlackMs` (100 ms). sipp_ua_load.sh counts that
// cleanup in its figure (its settle), when nothing else runs and the transactions are 32 s
// out of every cache. Here 10,000 calls are made untimed, the clock is set to just before
// the first of them ends, and then it steps 100 ms at a time until every transaction has
// ended; with `sleepMs` > 0 each step comes after a sleep of that long, as in the real
// settle. Only the steps are timed, on the thread's CPU clock (one clock reading's cost
// taken off each): `cleanup_us_per_call` is what ending one call's transactions costs.
void runUaCleanup(benchmark::State& state, long sleepMs) {
  constexpr std::uint64_t kCalls = 10000;
  double perCall = 0;
  std::uint64_t steps = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto c = std::make_unique<UaCalls>(0);
    for (std::uint64_t i = 0; i < kCalls && c->parsed; ++i) c->call();
    if (!c->check(state)) return;
    // Untimed up to just before the first call's transactions end (32 s after it).
    c->clock.advance(32000 - c->clock.nowMs());
    state.ResumeTiming();
    const double readingNs = clockReadingNs();
    std::uint64_t ns = 0, n = 0;
    while (c->ua.transactions().size() > 0 && n < 100000) {
      if (sleepMs > 0) {
        const timespec pause{sleepMs / 1000, (sleepMs % 1000) * 1000000};
        nanosleep(&pause, nullptr);
      }
      const std::uint64_t t0 = threadCpuNs();
      c->clock.advance(100);
      ns += threadCpuNs() - t0;
      ++n;
    }
    if (c->ua.transactions().size() != 0) {
      state.SkipWithError("transactions outlived their wait-out");
      return;
    }
    steps = n;
    perCall = (static_cast<double>(ns) - readingNs * static_cast<double>(n)) /
              static_cast<double>(kCalls);
  }
  state.counters["cleanup_us_per_call"] = perCall / 1000.0;
  state.counters["steps"] = static_cast<double>(steps);
}

void BM_UaCleanup(benchmark::State& state) { runUaCleanup(state, 0); }
BENCHMARK(BM_UaCleanup)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_UaCleanupAfterSleep(benchmark::State& state) { runUaCleanup(state, 100); }
BENCHMARK(BM_UaCleanupAfterSleep)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
