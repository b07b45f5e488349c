#include "gateway/exchange_sim_cmd.h"

// Standard headers before Asio (see isup/m3ua/m3ua_link.h).
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include "config/timer_service.h"
#include "gateway/exchange_sim_config.h"
#include "gateway/taps.h"
#include "isup/exchange_sim.h"
#include "isup/m3ua/m3ua_link.h"
#include "isup/message.h"
#include "isup/pcap_writer.h"

namespace siptgw::gateway {
namespace {

using isup::Variant;
using Json = nlohmann::ordered_json;

class Runner {
 public:
  Runner(const ExchangeSimConfig& cfg, const isup::m3ua::SigtranPlan& plan, std::ostream& out, std::ostream& err)
      : cfg_(cfg),
        out_(out),
        err_(err),
        timers_(io_),
        link_(io_, plan),
        tap_(link_, cfg.stack.variant),
        sim_(timers_, tap_, cfg.stack, cfg.groups),
        signals_(io_, SIGINT, SIGTERM),
        duration_timer_(timers_),
        poll_timer_(timers_) {
    for (const auto& r : cfg_.rules) sim_.addRule(r);
    sim_.holdOriginating(true);  // until the first reset after MTP-RESUME completed
    tap_.onPause = [this](uint32_t dpc) { onPause(dpc); };
    tap_.onResume = [this](uint32_t dpc) { onResume(dpc); };
  }

  int run() {
    if (!cfg_.pcap.empty()) {
      if (auto r = tap_.pcap.open(cfg_.pcap); !r) {
        err_ << "exchange-sim: " << r.error() << "\n";
        return 1;
      }
    }
    signals_.async_wait([this](const std::error_code& ec, int sig) {
      if (ec) return;
      event("SIGNAL " + std::to_string(sig));
      finish("signal");
    });
    if (cfg_.duration_ms > 0) duration_timer_.start(cfg_.duration_ms, [this] { finish("duration"); });
    sim_.start();
    if (auto r = link_.start(); !r) {
      err_ << "exchange-sim: m3ua: " << r.error() << "\n";
      return 1;
    }
    event("STARTED pc=" + isup::m3ua::formatPc(cfg_.stack.opc, cfg_.stack.variant));
    poll_timer_.start(50, [this] { poll(); });
    io_.run();
    link_.stop();
    tap_.pcap.close();
    return exit_code_;
  }

 private:
  std::string pc(uint32_t p) const { return isup::m3ua::formatPc(p, cfg_.stack.variant); }
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }

  void event(const std::string& what, bool record = true) {
    const auto& c = sim_.counters();
    char head[64];
    std::snprintf(head, sizeof head, "[%7.3f] ", elapsed());
    err_ << head << cfg_.name << ": " << what << " attempted=" << c.outgoing_attempts << " answered=" << c.answered
         << " incoming=" << c.incoming << " in_progress=" << sim_.callsInProgress() << std::endl;
    if (!record) return;
    events_.push_back({{"t_ms", static_cast<uint64_t>(elapsed() * 1000)},
                       {"event", what},
                       {"attempted", c.outgoing_attempts},
                       {"answered", c.answered},
                       {"incoming", c.incoming},
                       {"in_progress", sim_.callsInProgress()}});
  }

  void onPause(uint32_t dpc) {
    paused_.insert(dpc);
    sim_.holdOriginating(true);
    event("PAUSE " + pc(dpc));
  }

  void onResume(uint32_t dpc) {
    paused_.erase(dpc);
    event("RESUME " + pc(dpc));
    const uint64_t gen = ++resume_gen_;
    // §2.13 / §2.9.3: reset the destination's circuits (after reset_delay_ms, so that the
    // far end's association is up too), then take calls again.
    reset_timers_.push_back(std::make_unique<Timer>(timers_));
    reset_timers_.back()->start(cfg_.reset_delay_ms, [this, dpc, gen] { resetDestination(dpc, gen); });
    if (resumed_once_.insert(dpc).second) firstResume(dpc);
  }

  void resetDestination(uint32_t dpc, uint64_t gen) {
    if (paused_.count(dpc) || gen != resume_gen_) return;
    event("RESET " + pc(dpc));
    for (const auto& g : cfg_.groups) {
      if (g.dpc != dpc) continue;
      for (const auto& r : g.cics) {
        for (uint32_t first = r.first; first <= r.last; first += 32) {
          const uint32_t count = std::min<uint32_t>(32, r.last - first + 1);
          if (count == 1) sim_.stack().resetCircuit(dpc, static_cast<uint16_t>(first));
          else sim_.stack().groupReset(dpc, static_cast<uint16_t>(first), static_cast<uint8_t>(count));
        }
      }
    }
    awaiting_reset_ = true;
  }

  bool resetPending() {
    for (const auto& g : cfg_.groups)
      for (const auto& r : g.cics)
        for (uint32_t cic = r.first; cic <= r.last; ++cic)
          if (const auto* c = sim_.stack().circuit(g.dpc, static_cast<uint16_t>(cic)); c && (c->flags & isup::kAwaitingResetAck))
            return true;
    return false;
  }

  void firstResume(uint32_t dpc) {
    for (std::size_t i = 0; i < cfg_.maintenance.size(); ++i) {
      const auto& m = cfg_.maintenance[i];
      if (m.dpc != dpc) continue;
      maint_timers_.push_back(std::make_unique<Timer>(timers_));
      maint_timers_.back()->start(m.at_ms, [this, i] { runMaintenance(cfg_.maintenance[i]); });
    }
    if (!plans_started_ && !cfg_.plans.empty() && cfg_.groups[cfg_.plans[0].plan.group].dpc == dpc) {
      plans_started_ = true;
      plan_timer_ = std::make_unique<Timer>(timers_);
      plan_timer_->start(cfg_.reset_delay_ms + cfg_.plans[0].start_ms, [this] { startPlan(0); });
    }
  }

  void startPlan(std::size_t i) {
    plan_index_ = i;
    plan_running_ = true;
    event("PLAN " + std::to_string(i) + " START");
    sim_.originate(cfg_.plans[i].plan);
  }

  void runMaintenance(const MaintenanceAction& m) {
    bool ok = false;
    auto& s = sim_;
    switch (m.kind) {
      case MaintenanceKind::Grs: ok = s.groupReset(m.dpc, m.cic, m.count); break;
      case MaintenanceKind::Cgb: ok = s.groupBlock(m.dpc, m.cic, m.count, m.hardware, m.mask); break;
      case MaintenanceKind::Cgu: ok = s.groupUnblock(m.dpc, m.cic, m.count, m.hardware, m.mask); break;
      case MaintenanceKind::Blo: ok = s.block(m.dpc, m.cic); break;
      case MaintenanceKind::Ubl: ok = s.unblock(m.dpc, m.cic); break;
      case MaintenanceKind::Rsc: ok = s.reset(m.dpc, m.cic); break;
    }
    if (!ok) ++maintenance_failed_;
    event("MAINTENANCE " + std::string(maintenanceKindName(m.kind)) + " " + pc(m.dpc) + " cic " + std::to_string(m.cic) +
          (ok ? " sent" : " REFUSED"));
  }

  void poll() {
    if (done_) return;
    if (++polls_ % 10 == 0) event("STATUS", false);  // every 500 ms, stderr only
    if (awaiting_reset_ && paused_.empty() && !resetPending()) {
      awaiting_reset_ = false;
      sim_.holdOriginating(false);
      event("CIRCUITS RESET");
    }
    if (plan_running_ && sim_.planDone()) {
      if (plan_index_ + 1 < cfg_.plans.size()) {
        if (!next_plan_scheduled_) {
          next_plan_scheduled_ = true;
          plan_timer_->start(cfg_.plans[plan_index_ + 1].start_ms, [this] {
            next_plan_scheduled_ = false;
            startPlan(plan_index_ + 1);
          });
        }
      } else if (cfg_.exit_when_plans_done && sim_.callsInProgress() == 0 && !linger_) {
        linger_ = true;
        event("PLANS DONE");
        plan_timer_->start(cfg_.linger_ms, [this] { finish("plans_done"); });
      }
    }
    poll_timer_.start(50, [this] { poll(); });
  }

  void finish(const std::string& reason) {
    if (done_) return;
    done_ = true;
    event("EXIT " + reason);
    signals_.cancel();
    duration_timer_.stop();
    poll_timer_.stop();
    const Json summary = makeSummary(reason);
    out_ << summary.dump(2) << std::endl;
    exit_code_ = summary["expect"]["ok"].get<bool>() ? 0 : 1;
    // A short grace lets the ss7 thread hand queued messages to SCTP.
    exit_timer_ = std::make_unique<Timer>(timers_);
    exit_timer_->start(200, [this] { io_.stop(); });
  }

  Json makeSummary(const std::string& reason) {
    const auto& c = sim_.counters();
    const auto& sc = sim_.stack().counters();
    const Variant v = cfg_.stack.variant;
    Json j;
    j["name"] = cfg_.name;
    j["point_code"] = pc(cfg_.stack.opc);
    j["exit_reason"] = reason;
    j["elapsed_ms"] = static_cast<uint64_t>(elapsed() * 1000);
    Json causes = Json::object();
    for (std::size_t i = 0; i < c.release_cause.size(); ++i)
      if (c.release_cause[i]) causes[std::to_string(i)] = c.release_cause[i];
    j["calls"] = {{"attempted", c.outgoing_attempts},
                  {"rejected", c.outgoing_rejected},
                  {"held_ticks", c.outgoing_held},
                  {"incoming", c.incoming},
                  {"acm_received", c.acm_received},
                  {"cpg_received", c.cpg_received},
                  {"answered", c.answered},
                  {"completed", c.completed_answered},
                  {"released", c.released},
                  {"released_remote", c.released_remote},
                  {"released_by_cause", causes},
                  {"unmatched", c.unmatched},
                  {"in_progress", sim_.callsInProgress()},
                  {"acm_sent", c.acm_sent},
                  {"cpg_sent", c.cpg_sent},
                  {"anm_sent", c.anm_sent},
                  {"con_sent", c.con_sent},
                  {"rel_sent", c.rel_sent},
                  {"sam_sent", c.sam_sent},
                  {"sam_received", c.sam_received},
                  {"cot_sent", c.cot_sent}};
    auto byType = [&](const std::array<uint64_t, 256>& a) {
      Json m = Json::object();
      for (std::size_t t = 0; t < a.size(); ++t) {
        if (!a[t]) continue;
        std::string name(isup::messageAcronym(v, static_cast<isup::MessageType>(t)));
        if (name.empty()) name = "0x" + std::to_string(t);
        m[name] = a[t];
      }
      return m;
    };
    j["messages"] = {{"in", byType(tap_.in)}, {"out", byType(tap_.out)}, {"refused", tap_.refused}};
    j["stack"] = {{"unexpected", sc.unexpected},
                  {"decode_errors", sc.decode_errors},
                  {"send_failures", sc.send_failures},
                  {"unknown_cic", sc.unknown_cic},
                  {"unrecognized_messages", sc.unrecognized_messages},
                  {"dual_seizures", sc.dual_seizures},
                  {"repeat_attempts", sc.repeat_attempts},
                  {"maintenance_actions", c.maintenance_actions},
                  {"maintenance_refused", maintenance_failed_},
                  {"alerts", c.alerts}};
    uint64_t idle = 0, inc = 0, outg = 0, lblk = 0, rblk = 0, rst = 0, total = 0;
    for (const auto& g : cfg_.groups)
      for (const auto& r : g.cics)
        for (uint32_t cic = r.first; cic <= r.last; ++cic) {
          const auto* ci = sim_.stack().circuit(g.dpc, static_cast<uint16_t>(cic));
          if (!ci) continue;
          ++total;
          if (ci->call == isup::CircuitCall::Idle) ++idle;
          if (ci->call == isup::CircuitCall::IncomingBusy) ++inc;
          if (ci->call == isup::CircuitCall::OutgoingBusy) ++outg;
          if (ci->locallyBlocked()) ++lblk;
          if (ci->remotelyBlocked()) ++rblk;
          if (ci->flags & isup::kAwaitingResetAck) ++rst;
        }
    j["circuits"] = {{"total", total},         {"idle", idle},
                     {"incoming_busy", inc},   {"outgoing_busy", outg},
                     {"locally_blocked", lblk}, {"remotely_blocked", rblk},
                     {"awaiting_reset_ack", rst}};
    const auto ls = link_.stats();
    j["mtp"] = {{"pauses", tap_.pauses},          {"resumes", tap_.resumes},         {"msgs_in", ls.msgs_in},
                {"msgs_out", ls.msgs_out},         {"send_refused", ls.send_refused}, {"send_failed", ls.send_failed},
                {"as_state", ls.state.as_state}};
    j["events"] = events_;

    // Expectations.
    Json failures = Json::array();
    const auto& e = cfg_.expect;
    auto atLeast = [&](const char* what, const std::optional<uint64_t>& lim, uint64_t val) {
      if (lim && val < *lim) failures.push_back(std::string(what) + " " + std::to_string(val) + " < " + std::to_string(*lim));
    };
    auto atMost = [&](const char* what, const std::optional<uint64_t>& lim, uint64_t val) {
      if (lim && val > *lim) failures.push_back(std::string(what) + " " + std::to_string(val) + " > " + std::to_string(*lim));
    };
    atLeast("attempted", e.min_attempted, c.outgoing_attempts);
    atLeast("answered", e.min_answered, c.answered);
    atLeast("incoming", e.min_incoming, c.incoming);
    atLeast("completed", e.min_completed, c.completed_answered);
    atMost("rejected", e.max_rejected, c.outgoing_rejected);
    atMost("unexpected", e.max_unexpected, sc.unexpected);
    atMost("unmatched", e.max_unmatched, c.unmatched);
    atMost("decode_errors", e.max_decode_errors, sc.decode_errors);
    atLeast("pauses", e.min_pauses, tap_.pauses);
    atLeast("resumes", e.min_resumes, tap_.resumes);
    for (const auto& [cause, n] : e.min_release_causes)
      if (c.release_cause[cause] < n)
        failures.push_back("released with cause " + std::to_string(cause) + " " + std::to_string(c.release_cause[cause]) +
                           " < " + std::to_string(n));
    j["expect"] = {{"ok", failures.empty()}, {"failures", failures}};
    return j;
  }

  const ExchangeSimConfig& cfg_;
  std::ostream& out_;
  std::ostream& err_;
  asio::io_context io_;
  AsioTimerService timers_;
  isup::m3ua::M3uaLink link_;
  IsupTap tap_;  // counts, pcap, PAUSE/RESUME seen before the stack hears them
  isup::ExchangeSimulator sim_;
  asio::signal_set signals_;
  Timer duration_timer_, poll_timer_;
  std::unique_ptr<Timer> plan_timer_, exit_timer_;
  std::vector<std::unique_ptr<Timer>> maint_timers_, reset_timers_;
  std::set<uint32_t> paused_, resumed_once_;
  uint64_t resume_gen_ = 0;
  bool awaiting_reset_ = false;
  bool plans_started_ = false, plan_running_ = false, next_plan_scheduled_ = false, linger_ = false, done_ = false;
  std::size_t plan_index_ = 0;
  uint64_t maintenance_failed_ = 0;
  uint64_t polls_ = 0;
  Json events_ = Json::array();
  int exit_code_ = 1;
  const std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

}  // namespace

int exchangeSimCommand(const std::string& config_file, bool check_only, std::ostream& out, std::ostream& err) {
  auto cfg = loadExchangeSimConfig(config_file);
  if (!cfg) {
    err << cfg.error().describe();
    return 2;
  }
  auto plan = isup::m3ua::buildPlan(cfg->m3ua);
  if (!plan) {
    for (const auto& e : plan.error()) err << config_file << ": m3ua: " << e << "\n";
    return 2;
  }
  if (check_only) {
    out << config_file << ": OK (" << cfg->groups.size() << " circuit groups, " << cfg->rules.size()
        << " terminating rules, " << cfg->plans.size() << " originating plans, " << cfg->maintenance.size()
        << " maintenance actions)\n";
    return 0;
  }
  Runner r(*cfg, *plan, out, err);
  return r.run();
}

}  // namespace siptgw::gateway
