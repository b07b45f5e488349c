// libFuzzer target: the whole gateway, not one stack. A script of the SIP peer's messages,
// clock steps and the far exchange's actions drives a Gateway (the SIP user agent, one call
// chart per call, routing, the media rule, the ISUP stack's call control and circuit
// supervision) joined over the in-process MTP link to the exchange simulator, on a manual
// clock: calls both ways crossed with CANCELs, BYEs, re-INVITEs, retransmissions, circuit
// resets, blocking and the far end's releases, in orders and at times no hand-written test
// chose.
//
// Invariants (std::abort on breach, so libFuzzer keeps the input):
//  1. every SIP request the gateway sends passes checkMessage (RFC 3261 §8.1.1, §25), and
//     every SIP message it sends parses with its Content-Length framing its body exactly;
//  2. every ISUP message on the link, either way, decodes (Q.763);
//  3. nothing is held for ever: once the script ends the SIP peer falls silent, the far
//     exchange unblocks every circuit, and three hours of clock later (RFC 4028 session
//     timers end an answered call whose peer vanished; Q.764 T9, T5 and the SIP timers
//     bound the rest) the gateway holds no call, its UA no session and no transaction,
//     every circuit is idle on both sides and the simulator holds no call;
//  4. no call chart meets an event it does not handle (GatewayCounters::unexpectedEvents,
//     which production counts and logs as a bug);
//  and ASan/UBSan/LSan throughout.
//
// Script (tests/fuzz/script.h): no flags; >U / >T messages from the SIP peer
// (192.0.2.10:5060; the gateway is 10.0.0.1:5060), @N clock steps, and !X the far exchange:
// o calls the SIP side (hold 1 s after answer), O the same held for ever (the SIP side must
// end it), r resets CIC 1 (RSC), g resets CICs 1-4 (GRS), b blocks CIC 2 (BLO), B blocks
// CICs 1-4 for hardware failure (CGB), u unblocks CIC 2, U unblocks CICs 1-4. Called
// numbers the SIP peer may dial (tests/gateway/call_config.h): +4930100... answered after
// 1 s, +4930101... answered and released by the far end 2 s later, +4930102... rings for
// ever, +4930103... busy (REL 17), +4930104... unallocated (REL 1), +4930105... in-band
// tones, +4930106... no answer at all; anything else has no route.
// SIPTGW_FUZZ_TRACE=1 prints, with the clock, the SIP and ISUP traffic (start lines and
// message types; 2: whole SIP messages sent) and the calls' log lines.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "config/timer_service.h"
#include "gateway/gateway.h"
#include "gateway/gateway_config.h"
#include "gateway/log.h"
#include "isup/codec.h"
#include "isup/exchange_sim.h"
#include "isup/inprocess_link.h"
#include "isup/message.h"
#include "sip/message.h"
#include "sip/message_ref.h"
#include "tests/fuzz/script.h"
#include "tests/gateway/call_config.h"

using namespace siptgw;
using fuzz::kTrace;
using fuzz::trace;

namespace {

gateway::GatewayConfig makeConfig() {
  auto c = gateway::parseGatewayConfig(gateway::kCallTestConfig, "fuzz.yaml");
  if (!c) {
    std::fprintf(stderr, "%s\n", c.error().describe().c_str());
    std::abort();
  }
  return std::move(*c);
}

struct Run {
  Run() {
    log::setLevel(kTrace > 0 ? log::Level::Info : log::Level::Warn);  // the calls' own lines
    link.setTap([this](isup::InProcessLink::Side from, const isup::MtpTransfer& m) {
      auto msg = isup::decode(m.payload(), isup::Variant::Itu);
      if (!msg.ok()) std::abort();  // invariant 2
      if (kTrace > 0) {
        const bool fromGw = from == isup::InProcessLink::Side::A;
        trace(clock, fromGw ? "isup sent" : "isup received",
              isup::messageAcronym(isup::Variant::Itu, msg->type));
      }
    });
    for (const auto& r : cfg.isup.simulator.rules) sim.addRule(r);
    if (!gw.start().ok()) std::abort();
    sim.start();
    clock.advance(100);  // GRS / GRA both ways
  }

  void deliver(bool tcp, std::string text) {
    wire.echo.fill(text);
    auto rx = sip::MessageRef::parse(text);
    const bool in = rx && fuzz::admitted(**rx, "10.0.0.1");
    trace(clock, in ? "received" : "not admitted", text);
    if (!in) return;
    const sip::Source src{tcp ? sip::TransportType::Tcp : sip::TransportType::Udp,
                          *sip::Endpoint::fromIp("192.0.2.10", 5060),
                          *sip::Endpoint::fromIp("10.0.0.1", 5060), tcp ? 7u : 0u};
    gw.ua().transactions().onMessage(rx->mutableMessage(), src);
  }

  // The gateway's point code: the far exchange's maintenance messages go to it.
  uint32_t opc() const { return cfg.isup.stack.opc; }

  void act(char what) {
    trace(clock, "far exchange", std::string_view(&what, 1));
    isup::OriginatingPlan plan;
    plan.numbers = {"5551000"};
    // clang-format off
    switch (what) {
      case 'o': plan.hold_ms = 1000; sim.originate(plan); break;
      case 'O': plan.hold_ms = -1; sim.originate(plan); break;
      case 'r': sim.reset(opc(), 1); break;
      case 'g': sim.groupReset(opc(), 1, 4); break;
      case 'b': sim.block(opc(), 2); break;
      case 'B': sim.groupBlock(opc(), 1, 4, true); break;
      case 'u': sim.unblock(opc(), 2); break;
      case 'U': sim.groupUnblock(opc(), 1, 4, true); break;
      default: break;
    }
    // clang-format on
  }

  // Invariants 3 and 4.
  void finish() {
    sim.unblock(opc(), 2);
    sim.groupUnblock(opc(), 1, 4, true);
    clock.advance(3ull * 3600 * 1000);
    if (gw.counters().unexpectedEvents != 0) std::abort();  // each one was logged
    bool idle = gw.activeCalls() == 0 && gw.ua().sessionCount() == 0 &&
                gw.ua().transactions().size() == 0 && sim.callsInProgress() == 0;
    for (uint16_t cic = 1; cic <= 4; ++cic) {
      const isup::Circuit* c = gw.isup().circuit(cfg.trunks[0].group.dpc, cic);
      if (c == nullptr || c->call != isup::CircuitCall::Idle) idle = false;
    }
    if (!idle) {
      std::fprintf(stderr,
                   "left after 3 h: %zu calls, %zu sessions, %zu transactions, %zu "
                   "simulator calls\n",
                   gw.activeCalls(), gw.ua().sessionCount(), gw.ua().transactions().size(),
                   sim.callsInProgress());
      std::abort();
    }
  }

  ManualTimerService clock;
  gateway::GatewayConfig cfg = makeConfig();
  fuzz::Wire wire{clock, "10.0.0.1:5060"};
  isup::InProcessLink link{clock, cfg.isup.stack.opc, cfg.isup.simulator.pointCode};
  isup::ExchangeSimulator sim{clock, link.b(), gateway::simulatorStackConfig(cfg),
                              gateway::simulatorGroups(cfg)};
  gateway::Gateway gw{clock, wire, link.a(), cfg, nullptr};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;
  auto run = std::make_unique<Run>();
  const bool ok = fuzz::runScript(
      std::string_view(reinterpret_cast<const char*>(data), size), [](std::string_view) {},
      [&](bool tcp, std::string text) { run->deliver(tcp, std::move(text)); },
      [&](std::uint64_t ms) { run->clock.advance(ms); }, [&](char what) { run->act(what); });
  if (ok) run->finish();
  return 0;
}
