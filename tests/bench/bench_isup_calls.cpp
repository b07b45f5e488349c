// ISUP call control figures (reported, never judged):
//  - calls/s and CPU µs per call that two ExchangeSimulators complete over the in-process
//    MTP link (IAM → ACM → ANM → REL → RLC: five messages encoded and decoded per call, plus
//    the link's posting), on a manual clock so only CPU time counts;
//  - heap bytes per idle circuit in a 64k-circuit configuration (16 destinations × 4096
//    CICs) and per active (answered) call, measured with mallinfo2.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include "isup/codec.h"
#include "isup/exchange_sim.h"
#include "isup/inprocess_link.h"

namespace siptgw::isup {
namespace {

// Small-chunk heap plus mmapped chunks (large vectors are mmapped).
std::size_t heapInUse() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

struct NullMtp final : MtpProvider {
  void setUser(MtpUser*) override {}
  bool mtpTransferRequest(const MtpTransfer&) override { return true; }
  bool available(uint32_t) const override { return true; }
};

struct NullUser final : IsupUser {
  void onIncomingSetup(CallId, const Message&, bool) override {}
  void onRelease(CallId, const ReleaseInfo&) override {}
};

void simulatorPairCalls(benchmark::State& st) {
  constexpr uint32_t kBatch = 1000;
  ManualTimerService clock;
  InProcessLink link(clock, 100, 200);
  StackConfig ca, cb;
  ca.opc = 100;
  cb.opc = 200;
  ExchangeSimulator a(clock, link.a(), ca, {{"b", 200, {{1, 64}}, GroupDirection::BothWay, Selection::DualSeizureControl}});
  ExchangeSimulator b(clock, link.b(), cb, {{"a", 100, {{1, 64}}, GroupDirection::BothWay, Selection::DualSeizureControl}});
  TerminatingRule r;
  r.prefix = "";
  r.ring_after_ms = 0;
  r.answer_after_ms = 0;
  b.addRule(r);
  a.start();
  b.start();
  clock.runUntilIdle();
  uint64_t done = 0;
  for (auto _ : st) {
    a.originate({.numbers = {"5551234", "5555678"}, .calls = kBatch, .interval_ms = 1, .hold_ms = 10});
    clock.advance(kBatch + 100);
    done += kBatch;
  }
  if (a.counters().completed_answered != done) st.SkipWithError("not every call completed");
  st.SetItemsProcessed(static_cast<int64_t>(done));
  // Seconds of CPU per call (printed with an SI prefix: "4.2u" = 4.2 µs).
  st.counters["cpu_per_call"] =
      benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  st.counters["messages_per_call"] =
      static_cast<double>(link.delivered(InProcessLink::Side::A) + link.delivered(InProcessLink::Side::B)) /
      static_cast<double>(done);
}
BENCHMARK(simulatorPairCalls)->Unit(benchmark::kMillisecond);

void memory64k(benchmark::State& st) {
  for (auto _ : st) {
    ManualTimerService clock;
    NullMtp mtp;
    StackConfig cfg;
    cfg.opc = 1;
    cfg.reset_on_start = false;
    const std::size_t before = heapInUse();
    auto stack = std::make_unique<IsupStack>(clock, mtp, cfg);
    NullUser user;
    stack->setUser(&user);
    for (uint32_t d = 0; d < 16; ++d)
      if (!stack->addGroup({"g", 100 + d, {{0, 4095}}, GroupDirection::BothWay, Selection::DualSeizureControl}).ok())
        st.SkipWithError("addGroup");
    const std::size_t idle = heapInUse() - before;
    // 10 000 answered incoming calls.
    constexpr uint32_t kCalls = 10000;
    const std::size_t before_calls = heapInUse();
    Message iam = ExchangeSimulator::makeIam(Variant::Itu, "5551234", "5550000");
    std::vector<uint8_t> wire;
    for (uint32_t i = 0; i < kCalls; ++i) {
      iam.cic = static_cast<uint16_t>(i % 4096);
      MtpTransfer t;
      t.header.opc = 100 + i / 4096;
      t.header.dpc = 1;
      wire.clear();
      if (!encode(iam, wire)) st.SkipWithError("encode");
      t.setPayload(wire);
      stack->mtpTransfer(t);
      auto id = stack->callOn(t.header.opc, iam.cic);
      if (!id || !stack->sendCon(*id, makeMessage(Variant::Itu, MessageType::CON))) st.SkipWithError("call");
    }
    const std::size_t calls = heapInUse() - before_calls;
    st.counters["circuits"] = static_cast<double>(stack->circuitCount());
    st.counters["bytes_per_idle_circuit"] = static_cast<double>(idle) / static_cast<double>(stack->circuitCount());
    st.counters["idle_64k_MiB"] = static_cast<double>(idle) / (1024.0 * 1024.0);
    st.counters["bytes_per_active_call"] = static_cast<double>(calls) / kCalls;
    st.counters["all_64k_busy_MiB_est"] =
        (static_cast<double>(idle) + static_cast<double>(calls) / kCalls * 65536.0) / (1024.0 * 1024.0);
  }
}
BENCHMARK(memory64k)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace siptgw::isup

BENCHMARK_MAIN();
