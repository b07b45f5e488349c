// m3ua_peer: one end of the M3UA end-to-end test (tests/m3ua/run_m3ua_test.sh). It is an
// ASP of osmo-stp through isup::m3ua::M3uaLink and plays one of two roles:
//
//  originate: waits for MTP-RESUME, then runs `--rounds` rounds of ISUP exchanges with the
//             peer (IAM→ACM+ANM, REL→RLC, GRS→GRA, CGB→CGBA), checking every answer. Between
//             rounds it streams IAMs until MTP-PAUSE (the script kills the STP meanwhile),
//             checks that sends are refused while paused, and waits for MTP-RESUME again.
//  answer:    answers what it receives, reports PAUSE/RESUME, checks that sends are refused
//             while paused; runs until SIGTERM.
//
// stdout: one line per event ("EVENT RESUME 0.23.3", "ROUND 1 OK", "PAUSED-REJECT ok",
// "FAIL ..."); --log FILE: one line per message sent/received ("TX <opc> <type> <cic>");
// --pcap FILE: every message sent/received as MTP3 (link type 141) for tshark.
// Standard headers before Asio: see isup/m3ua/m3ua_link.h.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include "isup/codec.h"
#include "isup/m3ua/m3ua_link.h"
#include "isup/message.h"
#include "isup/pcap_writer.h"

using namespace siptgw;
using namespace siptgw::isup;
using namespace std::chrono_literals;

namespace {

struct Options {
  std::string name = "peer";
  std::string role = "originate";
  uint32_t local_pc = 0, peer_pc = 0;
  uint8_t ni = 2;
  uint32_t rctx = 0;
  uint16_t local_port = 0, stp_port = 2905;
  std::string local_host = "127.0.0.1", stp_host = "127.0.0.1";
  int rounds = 2;
  int max_time = 60;       // seconds, whole run
  int wait_time = 20;      // seconds, each wait for RESUME / PAUSE
  std::string pcap, log;
  std::string log_level = "error";
  int reconnect = 1;       // seconds between SCTP connection attempts
};

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "m3ua_peer: %s\n"
               "usage: m3ua_peer --role originate|answer --local-pc PC --peer-pc PC --rctx N\n"
               "                 --local-port P [--stp-port 2905] [--local-host 127.0.0.1] [--stp-host 127.0.0.1]\n"
               "                 [--name NAME] [--ni 2] [--rounds 2] [--max-time 60] [--wait-time 20]\n"
               "                 [--pcap FILE] [--log FILE] [--log-level error] [--reconnect 1]\n",
               msg);
  std::exit(2);
}

Options parseArgs(int argc, char** argv) {
  Options o;
  std::map<std::string, std::string> kv;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0 || i + 1 >= argc) usage(("bad argument " + k).c_str());
    kv[k.substr(2)] = argv[++i];
  }
  auto num = [&](const std::string& k, long lo, long hi) -> long {
    char* end = nullptr;
    long v = std::strtol(kv[k].c_str(), &end, 10);
    if (!end || *end || v < lo || v > hi) usage(("bad --" + k).c_str());
    return v;
  };
  auto pc = [&](const std::string& k) -> uint32_t {
    auto r = m3ua::parsePc(kv[k], Variant::Itu);
    if (!r) usage(r.error().c_str());
    return *r;
  };
  for (auto& [k, v] : kv) {
    if (k == "name") o.name = v;
    else if (k == "role") o.role = v;
    else if (k == "local-pc") o.local_pc = pc(k);
    else if (k == "peer-pc") o.peer_pc = pc(k);
    else if (k == "ni") o.ni = static_cast<uint8_t>(num(k, 0, 3));
    else if (k == "rctx") o.rctx = static_cast<uint32_t>(num(k, 0, 0x7fffffff));
    else if (k == "local-port") o.local_port = static_cast<uint16_t>(num(k, 0, 65535));
    else if (k == "stp-port") o.stp_port = static_cast<uint16_t>(num(k, 1, 65535));
    else if (k == "local-host") o.local_host = v;
    else if (k == "stp-host") o.stp_host = v;
    else if (k == "rounds") o.rounds = static_cast<int>(num(k, 1, 100));
    else if (k == "max-time") o.max_time = static_cast<int>(num(k, 1, 3600));
    else if (k == "wait-time") o.wait_time = static_cast<int>(num(k, 1, 3600));
    else if (k == "pcap") o.pcap = v;
    else if (k == "log") o.log = v;
    else if (k == "log-level") o.log_level = v;
    else if (k == "reconnect") o.reconnect = static_cast<int>(num(k, 1, 60));
    else usage(("unknown option --" + k).c_str());
  }
  if (o.role != "originate" && o.role != "answer") usage("--role must be originate or answer");
  if (!kv.count("local-pc") || !kv.count("peer-pc")) usage("--local-pc and --peer-pc are required");
  return o;
}

// A round's CICs stay below kSyncCic; the probes before a round use kSyncCic + round; the
// streamed IAMs between rounds use CICs from kStreamCic up.
constexpr uint16_t kSyncCic = 900;
constexpr uint16_t kStreamCic = 1000;

Message withRange(MessageType t, uint16_t cic, uint8_t range, bool status) {
  Message m = makeMessage(Variant::Itu, t, cic);
  RangeAndStatus rs;
  rs.range = range;
  if (status) rs.status.assign(static_cast<std::size_t>(range / 8 + 1), 0);
  m.set(ParamCode::RangeAndStatus, rs);
  return m;
}

class Peer final : public MtpUser {
 public:
  Peer(asio::io_context& io, m3ua::M3uaLink& link, Options o)
      : io_(io), link_(link), o_(std::move(o)), wait_timer_(io), stream_timer_(io), max_timer_(io), signals_(io) {}

  bool init() {
    if (!o_.pcap.empty()) {
      auto r = pcap_.open(o_.pcap);
      if (!r) { std::fprintf(stderr, "pcap: %s\n", r.error().c_str()); return false; }
    }
    if (!o_.log.empty()) {
      log_ = std::fopen(o_.log.c_str(), "w");
      if (!log_) { std::perror(o_.log.c_str()); return false; }
    }
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](const std::error_code& ec, int sig) {
      if (ec) return;
      event("SIGNAL %d", sig);
      finish(o_.role == "answer" && !failed_ ? 0 : 1);
    });
    max_timer_.expires_after(std::chrono::seconds(o_.max_time));
    max_timer_.async_wait([this](const std::error_code& ec) {
      if (!ec) fail("max time reached");
    });
    if (o_.role == "originate") waitResume();
    return true;
  }

  int exitCode() const { return exit_code_; }

  // ---- MtpUser
  void mtpTransfer(const MtpTransfer& t) override {
    auto m = decode(t.payload(), Variant::Itu);
    if (!m) return fail("RX undecodable message: " + m.error().describe(Variant::Itu));
    record("RX", t);
    if (t.header.opc != o_.peer_pc || t.header.dpc != o_.local_pc) return fail("RX with unexpected routing label");
    if (o_.role == "answer") answer(*m);
    else originatorRx(*m);
  }
  void mtpPause(uint32_t dpc) override {
    event("EVENT PAUSE %s", m3ua::formatPc(dpc, Variant::Itu).c_str());
    checkRefused();
    if (o_.role == "originate") {
      if (phase_ == Phase::Round) return fail("PAUSE in the middle of round " + std::to_string(round_));
      if (phase_ == Phase::Stream || phase_ == Phase::Sync) waitResume();
    }
  }
  void mtpResume(uint32_t dpc) override {
    event("EVENT RESUME %s", m3ua::formatPc(dpc, Variant::Itu).c_str());
    if (o_.role == "originate" && phase_ == Phase::WaitResume) startSync();
  }
  void mtpStatus(const MtpStatus& s) override {
    event("EVENT STATUS %s", m3ua::formatPc(s.affected_dpc, Variant::Itu).c_str());
  }

 private:
  enum class Phase { WaitResume, Sync, Round, Stream, Done };
  struct Step {
    Message send;
    std::deque<std::pair<MessageType, uint16_t>> expect;
  };

  template <class... A>
  void event(const char* fmt, A... a) {
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    std::printf("[%7.3f] %s: ", t, o_.name.c_str());
    std::printf(fmt, a...);
    std::printf("\n");
    std::fflush(stdout);
  }

  void fail(const std::string& why) {
    failed_ = true;
    event("FAIL %s", why.c_str());
    finish(1);
  }

  void finish(int code) {
    if (phase_ == Phase::Done) return;
    phase_ = Phase::Done;
    exit_code_ = code;
    auto st = link_.stats();
    event("STATS in=%llu out=%llu refused=%llu failed=%llu pauses=%llu resumes=%llu as=%s", 
          static_cast<unsigned long long>(st.msgs_in), static_cast<unsigned long long>(st.msgs_out),
          static_cast<unsigned long long>(st.send_refused), static_cast<unsigned long long>(st.send_failed),
          static_cast<unsigned long long>(st.pauses), static_cast<unsigned long long>(st.resumes),
          st.state.as_state.c_str());
    wait_timer_.cancel();
    stream_timer_.cancel();
    max_timer_.cancel();
    signals_.cancel();
    link_.setUser(nullptr);
    // Leave the loop; main stops the link (osmo may still have queued messages: a
    // short grace lets the ss7 thread hand them to SCTP).
    auto t = std::make_shared<asio::steady_timer>(io_, 200ms);
    t->async_wait([this, t](const std::error_code&) { io_.stop(); });
  }

  void record(const char* dir, const MtpTransfer& t) {
    if (pcap_.isOpen()) (void)pcap_.write(t.header, Variant::Itu, t.payload());
    if (log_ && t.size >= 3) {
      const unsigned cic = static_cast<unsigned>(t.data[0] | (t.data[1] & 0x0F) << 8);
      std::fprintf(log_, "%s %u %u %u\n", dir, static_cast<unsigned>(t.header.opc), static_cast<unsigned>(t.data[2]), cic);
      std::fflush(log_);
    }
  }

  bool send(const Message& m) {
    MtpTransfer t;
    t.header.service_indicator = kServiceIndicatorIsup;
    t.header.network_indicator = o_.ni;
    t.header.opc = o_.local_pc;
    t.header.dpc = o_.peer_pc;
    t.header.sls = static_cast<uint8_t>(m.cic & 0x0F);
    std::array<uint8_t, kMaxMessage> buf{};
    const int n = encode(m, buf);
    if (n <= 0) { fail("encode failed"); return false; }
    t.setPayload({buf.data(), static_cast<std::size_t>(n)});
    if (!link_.mtpTransferRequest(t)) return false;
    record("TX", t);
    return true;
  }

  // While paused: the provider must say unavailable and refuse sends.
  void checkRefused() {
    MtpTransfer t;
    t.header = {kServiceIndicatorIsup, o_.ni, 0, o_.peer_pc, o_.local_pc, 0};
    const Message m = makeMessage(Variant::Itu, MessageType::RSC, 999);
    std::array<uint8_t, kMaxMessage> buf{};
    const int n = encode(m, buf);
    t.setPayload({buf.data(), static_cast<std::size_t>(n > 0 ? n : 0)});
    if (link_.available(o_.peer_pc)) return fail("available() true after PAUSE");
    if (link_.mtpTransferRequest(t)) return fail("send accepted while paused");
    event("PAUSED-REJECT ok");
  }

  // ---- answer role
  void answer(const Message& m) {
    bool ok = true;
    switch (m.type) {
      case MessageType::IAM:
        ok = send(makeMessage(Variant::Itu, MessageType::ACM, m.cic)) && send(makeMessage(Variant::Itu, MessageType::ANM, m.cic));
        break;
      case MessageType::REL: ok = send(makeMessage(Variant::Itu, MessageType::RLC, m.cic)); break;
      case MessageType::CQM: {
        Message a = makeMessage(Variant::Itu, MessageType::CQR, m.cic);
        const auto* rs = m.get<RangeAndStatus>(ParamCode::RangeAndStatus);
        const uint8_t range = rs ? rs->range : 0;
        a.set(ParamCode::RangeAndStatus, RangeAndStatus{range, {}});
        CircuitStateIndicator csi;
        csi.data.assign(static_cast<std::size_t>(range) + 1, 0x0C);  // idle, no blocking
        a.set(ParamCode::CircuitStateIndicator, csi);
        ok = send(a);
        break;
      }
      case MessageType::GRS: {
        const auto* rs = m.get<RangeAndStatus>(ParamCode::RangeAndStatus);
        ok = send(withRange(MessageType::GRA, m.cic, rs ? rs->range : 0, true));
        break;
      }
      case MessageType::CGB: {
        Message a = makeMessage(Variant::Itu, MessageType::CGBA, m.cic);
        if (const auto* t = m.get<CircuitGroupSupervisionMessageType>(ParamCode::CircuitGroupSupervisionMessageType))
          a.set(ParamCode::CircuitGroupSupervisionMessageType, *t);
        if (const auto* rs = m.get<RangeAndStatus>(ParamCode::RangeAndStatus)) a.set(ParamCode::RangeAndStatus, *rs);
        ok = send(a);
        break;
      }
      default: break;
    }
    if (!ok) event("TX-REFUSED answer to %s cic=%u", std::string(messageAcronym(Variant::Itu, m.type)).c_str(), m.cic);
  }

  // ---- originate role
  void waitResume() {
    phase_ = Phase::WaitResume;
    stream_timer_.cancel();
    if (link_.available(o_.peer_pc)) return startSync();
    wait_timer_.expires_after(std::chrono::seconds(o_.wait_time));
    wait_timer_.async_wait([this](const std::error_code& ec) {
      if (!ec && phase_ == Phase::WaitResume) fail("no RESUME in time");
    });
  }

  // Our AS being active says nothing of the peer's (osmo-stp 1.6 sends no DUNA/DAVA for it):
  // probe with CQM until the peer answers CQR, then run the round. Lost probes are fine.
  void startSync() {
    phase_ = Phase::Sync;
    sync_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(o_.wait_time);
    syncProbe();
  }

  void syncProbe() {
    if (phase_ != Phase::Sync) return;
    if (std::chrono::steady_clock::now() > sync_deadline_) return fail("peer never answered CQM");
    (void)send(makeMessage(Variant::Itu, MessageType::CQM, static_cast<uint16_t>(kSyncCic + round_ + 1)));
    wait_timer_.expires_after(250ms);
    wait_timer_.async_wait([this](const std::error_code& ec) {
      if (!ec) syncProbe();
    });
  }

  void startRound() {
    ++round_;
    phase_ = Phase::Round;
    const auto cic = static_cast<uint16_t>(round_ * 10 + 1);
    steps_.clear();
    Message iam = makeMessage(Variant::Itu, MessageType::IAM, cic);
    if (auto* cdpn = iam.get<Number>(ParamCode::CalledPartyNumber)) {
      cdpn->nature_of_address = 3;
      cdpn->numbering_plan = 1;
      (void)cdpn->digits.assign("4930123456");
    }
    steps_.push_back({iam, {{MessageType::ACM, cic}, {MessageType::ANM, cic}}});
    Message rel = makeMessage(Variant::Itu, MessageType::REL, cic);
    if (auto* cause = rel.get<CauseIndicators>(ParamCode::CauseIndicators)) cause->cause = 16;
    steps_.push_back({rel, {{MessageType::RLC, cic}}});
    steps_.push_back({withRange(MessageType::GRS, cic, 7, false), {{MessageType::GRA, cic}}});
    Message cgb = withRange(MessageType::CGB, cic, 7, true);
    cgb.get<RangeAndStatus>(ParamCode::RangeAndStatus)->status = {0xFF};
    steps_.push_back({cgb, {{MessageType::CGBA, cic}}});
    step_ = 0;
    event("ROUND %d START", round_);
    sendStep();
  }

  void sendStep() {
    if (!send(steps_[step_].send)) return fail("send refused in round " + std::to_string(round_));
    wait_timer_.expires_after(5s);
    wait_timer_.async_wait([this, r = round_, s = step_](const std::error_code& ec) {
      if (!ec && phase_ == Phase::Round && round_ == r && step_ == s)
        fail("no answer in round " + std::to_string(r) + " step " + std::to_string(s));
    });
  }

  void originatorRx(const Message& m) {
    if (phase_ == Phase::Sync && m.type == MessageType::CQR && m.cic == kSyncCic + round_ + 1) {
      wait_timer_.cancel();
      return startRound();
    }
    if (phase_ != Phase::Round) return;  // streamed IAMs' answers
    if (m.cic >= kSyncCic) return;       // late answers to probes or the stream
    auto& exp = steps_[step_].expect;
    if (exp.empty() || exp.front().first != m.type || exp.front().second != m.cic)
      return fail("round " + std::to_string(round_) + ": unexpected " +
                  std::string(messageAcronym(Variant::Itu, m.type)) + " cic=" + std::to_string(m.cic));
    exp.pop_front();
    if (!exp.empty()) return;
    if (++step_ < steps_.size()) return sendStep();
    wait_timer_.cancel();
    event("ROUND %d OK", round_);
    if (round_ >= o_.rounds) {
      event("DONE");
      return finish(failed_ ? 1 : 0);
    }
    phase_ = Phase::Stream;
    stream_k_ = 0;
    wait_timer_.expires_after(std::chrono::seconds(o_.wait_time));
    wait_timer_.async_wait([this](const std::error_code& ec) {
      if (!ec && phase_ == Phase::Stream) fail("no PAUSE in time");
    });
    streamNext();
  }

  void streamNext() {
    if (phase_ != Phase::Stream) return;
    if (link_.available(o_.peer_pc))
      (void)send(makeMessage(Variant::Itu, MessageType::IAM, static_cast<uint16_t>(kStreamCic + stream_k_++ % 1000)));
    stream_timer_.expires_after(20ms);
    stream_timer_.async_wait([this](const std::error_code& ec) {
      if (!ec) streamNext();
    });
  }

  asio::io_context& io_;
  m3ua::M3uaLink& link_;
  Options o_;
  PcapWriter pcap_;
  std::FILE* log_ = nullptr;
  asio::steady_timer wait_timer_, stream_timer_, max_timer_;
  asio::signal_set signals_;
  const std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  Phase phase_ = Phase::WaitResume;
  int round_ = 0;
  std::vector<Step> steps_;
  std::size_t step_ = 0;
  std::chrono::steady_clock::time_point sync_deadline_{};
  unsigned stream_k_ = 0;
  bool failed_ = false;
  int exit_code_ = 1;
};

}  // namespace

int main(int argc, char** argv) {
  const Options o = parseArgs(argc, argv);

  m3ua::M3uaConfig cfg;
  cfg.local_pc = o.local_pc;
  cfg.network_indicator = o.ni;
  cfg.as_name = "as-" + o.name;
  cfg.routing_context = o.rctx;
  cfg.asps.push_back({"asp-" + o.name, {o.local_host}, o.local_port, {o.stp_host}, o.stp_port});
  cfg.routes.push_back({o.peer_pc, 0});
  auto lvl = m3ua::logLevelFromName(o.log_level);
  if (!lvl) usage(lvl.error().c_str());
  cfg.log_level = *lvl;
  cfg.reconnect_interval_s = o.reconnect;
  auto plan = m3ua::buildPlan(cfg);
  if (!plan) {
    for (const auto& e : plan.error()) std::fprintf(stderr, "config: %s\n", e.c_str());
    return 2;
  }

  asio::io_context io;
  m3ua::M3uaLink link(io, *plan);
  Peer peer(io, link, o);
  link.setUser(&peer);
  if (!peer.init()) return 2;
  if (auto r = link.start(); !r) {
    std::fprintf(stderr, "start: %s\n", r.error().c_str());
    return 1;
  }
  io.run();
  link.stop();
  return peer.exitCode();
}
