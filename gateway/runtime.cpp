#include "gateway/runtime.h"

// Standard headers before Asio (see isup/m3ua/m3ua_link.h).
#include <csignal>
#include <memory>
#include <ostream>
#include <string>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include "config/timer_service.h"
#include "gateway/gateway.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/taps.h"
#include "isup/exchange_sim.h"
#include "isup/inprocess_link.h"
#include "isup/m3ua/m3ua_link.h"
#include "sip/transport.h"

namespace siptgw::gateway {
namespace {

using Json = nlohmann::ordered_json;

sip::TransportConfig transportConfig(const GatewayConfig& cfg) {
  sip::TransportConfig t;
  for (const SipListenConfig& l : cfg.sip.listen) {
    sip::ListenConfig lc;
    lc.transport = l.transport;
    lc.address = l.address;
    lc.port = l.port;
    lc.advertisedHost = cfg.sip.host;
    t.listeners.push_back(std::move(lc));
  }
  t.tls.certificateFile = cfg.sip.tls.certFile;
  t.tls.privateKeyFile = cfg.sip.tls.keyFile;
  t.tls.caFile = cfg.sip.tls.caFile;
  t.tls.verifyPeer = cfg.sip.tls.verifyPeer;
  t.udpCoalesceUs = cfg.sip.udpCoalesceUs;
  t.udpReceiveBufferBytes = cfg.sip.udpReceiveBufferBytes;
  return t;
}

log::Level toLogLevel(LogLevel l) {
  switch (l) {
    case LogLevel::Trace:
    case LogLevel::Debug: return log::Level::Debug;
    case LogLevel::Info: return log::Level::Info;
    case LogLevel::Warn: return log::Level::Warn;
    case LogLevel::Error: return log::Level::Error;
  }
  return log::Level::Info;
}

class Runtime {
 public:
  Runtime(const GatewayConfig& cfg, const RunOptions& opt, std::ostream& out, std::ostream& err)
      : cfg_(cfg), opt_(opt), out_(out), err_(err), timers_(io_), sipNet_(io_, timers_, transportConfig(cfg)),
        sipTap_(sipNet_), signals_(io_, SIGINT, SIGTERM), sampler_(timers_), stopTimer_(timers_) {}

  int run() {
    log::setLevel(toLogLevel(cfg_.logLevel));
    if (cfg_.metrics.enabled) {
      metrics_ = std::make_unique<Metrics>(cfg_);
      if (auto r = exporter_.start(cfg_.metrics.address, cfg_.metrics.port, metrics_->registry()); !r) {
        err_ << "siptgw: metrics: " << r.error() << "\n";
        return 1;
      }
    }
    if (!startIsupLink()) return 1;
    gw_ = std::make_unique<Gateway>(timers_, sipTap_, *tap_, cfg_, metrics_.get());
    sipTap_.setUpper(&gw_->ua().transactions());
    sipNet_.setListener(&sipTap_);
    if (metrics_) {
      Metrics* m = metrics_.get();
      sipTap_.hook = [m](std::string_view method, uint16_t status, bool outgoing) {
        const MsgDirection d = outgoing ? MsgDirection::Out : MsgDirection::In;
        if (method.empty()) {
          m->sipResponse(status, d);
        } else {
          m->sipRequest(method, d);
        }
      };
      tap_->onMessage = [m](uint8_t type, bool outgoing) {
        m->isupMessage(static_cast<isup::MessageType>(type), outgoing ? MsgDirection::Out : MsgDirection::In);
      };
      tap_->onPause = [m](uint32_t) { m->m3uaLinkUp(false); };
      tap_->onResume = [m](uint32_t) { m->m3uaLinkUp(true); };
    }
    if (auto r = sipNet_.start(); !r) {
      err_ << "siptgw: sip: " << r.error() << "\n";
      return 1;
    }
    warnIfUdpBufferCapped();
    if (auto r = gw_->start(); !r) {
      err_ << "siptgw: isup: " << r.error() << "\n";
      return 1;
    }
    if (sim_) {
      sim_->start();
      for (const OriginatingPlanConfig& p : cfg_.isup.simulator.plans) startPlanLater(p);
    }
    if (m3ua_) {
      if (auto r = m3ua_->start(); !r) {
        err_ << "siptgw: m3ua: " << r.error() << "\n";
        return 1;
      }
    } else if (metrics_) {
      metrics_->m3uaLinkUp(true);  // the in-process link is always up
    }
    signals_.async_wait([this](const std::error_code& ec, int) {
      if (!ec) stop();
    });
    if (opt_.durationMs) stopTimer_.start(opt_.durationMs, [this] { stop(); });
    if (metrics_) sample();
    out_ << "READY " << readyLine() << std::endl;
    io_.run();
    out_ << "STATS " << stats().dump() << std::endl;
    return 0;
  }

 private:
  bool startIsupLink() {
    const isup::Variant v = cfg_.isup.stack.variant;
    if (cfg_.isup.link == IsupLinkKind::Simulator) {
      inproc_ = std::make_unique<isup::InProcessLink>(timers_, cfg_.isup.stack.opc, cfg_.isup.simulator.pointCode);
      tap_ = std::make_unique<IsupTap>(inproc_->a(), v);
      sim_ = std::make_unique<isup::ExchangeSimulator>(timers_, inproc_->b(), simulatorStackConfig(cfg_),
                                                       simulatorGroups(cfg_));
      for (const auto& r : cfg_.isup.simulator.rules) sim_->addRule(r);
    } else {
      auto plan = isup::m3ua::buildPlan(cfg_.isup.m3ua);
      if (!plan) {
        for (const auto& e : plan.error()) err_ << "siptgw: m3ua: " << e << "\n";
        return false;
      }
      m3ua_ = std::make_unique<isup::m3ua::M3uaLink>(io_, std::move(*plan));
      tap_ = std::make_unique<IsupTap>(*m3ua_, v);
    }
    if (!cfg_.isup.pcap.empty()) {
      if (auto r = tap_->pcap.open(cfg_.isup.pcap); !r) {
        err_ << "siptgw: pcap: " << r.error() << "\n";
        return false;
      }
    }
    return true;
  }

  void startPlanLater(const OriginatingPlanConfig& p) {
    planTimers_.push_back(std::make_unique<Timer>(timers_));
    planTimers_.back()->start(p.start_ms, [this, &p] { sim_->originate(p.plan); });
  }

  // sip.udp_receive_buffer_bytes asked for more than the kernel gave (net.core.rmem_max
  // without CAP_NET_ADMIN): the gateway runs, with a warning naming the remedy.
  void warnIfUdpBufferCapped() {
    const std::size_t asked = cfg_.sip.udpReceiveBufferBytes;
    const std::size_t held = sipNet_.udpReceiveBufferKernelBytes() / 2;  // socket(7) doubles it
    if (asked == 0 || held == 0 || held >= asked) return;
    log::line(log::Level::Warn,
              "sip: UDP receive buffer " + std::to_string(held) + " bytes, not the " +
                  std::to_string(asked) +
                  " of sip.udp_receive_buffer_bytes: raise net.core.rmem_max or grant "
                  "CAP_NET_ADMIN");
  }

  // Gauges that are states rather than events: circuits by state, active calls (every second).
  void sample() {
    for (std::size_t t = 0; t < cfg_.trunks.size(); ++t) {
      const isup::CircuitGroupConfig& g = cfg_.trunks[t].group;
      std::array<uint32_t, kCircuitStateLabels> counts{};
      for (const auto& r : g.cics)
        for (uint32_t cic = r.first; cic <= r.last; ++cic)
          if (const isup::Circuit* c = gw_->isup().circuit(g.dpc, static_cast<uint16_t>(cic)))
            ++counts[static_cast<std::size_t>(circuitStateOf(*c))];
      for (std::size_t s = 0; s < kCircuitStateLabels; ++s)
        metrics_->circuits(t, static_cast<CircuitStateLabel>(s), counts[s]);
    }
    metrics_->sipStack(sipStackSample(sipNet_, gw_->ua()));
    sampler_.start(1000, [this] { sample(); });
  }

  std::string readyLine() const {
    std::string s = "sip=";
    bool first = true;
    for (const SipListenConfig& l : cfg_.sip.listen) {
      auto ep = sipNet_.localEndpoint(l.transport, l.address.find(':') != std::string::npos);
      if (!first) s += ',';
      first = false;
      s += std::string(sip::toString(l.transport)) + ":" + l.address + ":" +
           std::to_string(ep ? ep->port : l.port);
    }
    if (metrics_) s += " metrics=" + cfg_.metrics.address + ":" + std::to_string(exporter_.port());
    std::size_t circuits = 0;
    for (const TrunkConfig& t : cfg_.trunks)
      for (const auto& r : t.group.cics) circuits += r.last - r.first + 1u;
    s += " trunks=" + std::to_string(cfg_.trunks.size()) + " circuits=" + std::to_string(circuits);
    s += sim_ ? " isup=simulator" : " isup=m3ua";
    return s;
  }

  Json stats() const {
    const GatewayCounters& c = gw_->counters();
    auto pair = [](const std::array<uint64_t, 2>& a) {
      return Json{{"sip_to_isup", a[0]}, {"isup_to_sip", a[1]}};
    };
    Json j{{"attempted", pair(c.attempted)}, {"answered", pair(c.answered)}, {"failed", pair(c.failed)},
           {"no_route", c.noRoute}, {"unexpected_events", c.unexpectedEvents}, {"active_calls", gw_->activeCalls()}};
    const sip::UaStats& u = gw_->ua().stats();
    j["sip"] = Json{{"invites_in", u.invitesIn}, {"invites_out", u.invitesOut}, {"completed", u.completed},
                    {"rejected", u.rejected}, {"cancelled", u.cancelled}, {"failed", u.failed},
                    {"sessions", gw_->ua().sessionCount()}, {"transactions", gw_->ua().transactions().size()}};
    const isup::StackCounters& ic = gw_->isup().counters();
    j["isup"] = Json{{"calls_started", ic.calls_started}, {"calls_ended", ic.calls_ended},
                     {"unexpected", ic.unexpected}, {"decode_errors", ic.decode_errors},
                     {"dual_seizures", ic.dual_seizures}, {"repeat_attempts", ic.repeat_attempts},
                     {"active_calls", gw_->isup().activeCalls()}};
    if (sim_) {
      const auto& sc = sim_->counters();
      j["simulator"] = Json{{"incoming", sc.incoming}, {"answered", sc.answered},
                            {"outgoing_attempts", sc.outgoing_attempts}};
    }
    return j;
  }

  void stop() {
    if (stopping_) return;
    stopping_ = true;
    sampler_.stop();
    if (m3ua_) m3ua_->stop();
    sipNet_.stop();
    tap_->pcap.close();
    io_.stop();
  }

  const GatewayConfig& cfg_;
  RunOptions opt_;
  std::ostream& out_;
  std::ostream& err_;
  // Every socket and timer is used on this one core thread; other threads (the M3UA backend)
  // only post work. So the reactor's per-operation locking is off and the scheduler's stays.
  asio::io_context io_{ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  AsioTimerService timers_;
  sip::TransportLayer sipNet_;
  SipTap sipTap_;
  std::unique_ptr<Metrics> metrics_;
  MetricsExporter exporter_;
  std::unique_ptr<isup::InProcessLink> inproc_;
  std::unique_ptr<isup::m3ua::M3uaLink> m3ua_;
  std::unique_ptr<IsupTap> tap_;
  std::unique_ptr<isup::ExchangeSimulator> sim_;
  std::unique_ptr<Gateway> gw_;
  asio::signal_set signals_;
  Timer sampler_, stopTimer_;
  std::vector<std::unique_ptr<Timer>> planTimers_;
  bool stopping_ = false;
};

}  // namespace

int runGateway(const GatewayConfig& cfg, const RunOptions& opt, std::ostream& out, std::ostream& err) {
  Runtime rt(cfg, opt, out, err);
  return rt.run();
}

}  // namespace siptgw::gateway
