// A tiny UAS on the real transport and transaction layers, for the SIPp smoke test
// (tests/sip/sipp/run_options.sh, label e2e): answers OPTIONS with 200 and anything else
// with 501 (ACK: nothing). Listens on 127.0.0.1, port chosen by the kernel, printed as
// "PORT <n>" on stdout; prints "REQ <method>" per new server transaction; exits after the
// given number of seconds or on SIGTERM/SIGINT.
//   usage: siptgw_sip_sipp_uas udp|tcp SECONDS
#include <asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/timer_service.h"
#include "sip/message_builder.h"
#include "sip/transaction.h"
#include "sip/transport.h"

namespace {

using namespace siptgw;
using namespace siptgw::sip;

class Uas final : public TransactionUser {
 public:
  TransactionLayer* layer = nullptr;
  void onRequest(Transaction& t, const Message& r) override {
    std::printf("REQ %.*s\n", static_cast<int>(r.method().size()), r.method().data());
    std::fflush(stdout);
    std::string rsp;
    MessageBuilder b(rsp);
    const bool options = r.method() == "OPTIONS";
    appendResponseFor(b, r, options ? 200 : 501, options ? "OK" : "Not Implemented",
                      "uas" + std::to_string(t.id()));
    b.header(HeaderId::Allow, "INVITE, ACK, CANCEL, BYE, OPTIONS");
    b.header(HeaderId::Server, "siptgw-test-uas");
    b.finish();
    auto res = layer->respond(t.id(), rsp);
    if (!res) std::fprintf(stderr, "respond: %s\n", std::string(toString(res.error())).c_str());
  }
  void onAck(const Message&, const Source&) override {}
  void onResponse(Transaction&, const Message&) override {}
  void onFailure(Transaction&, TxnFailure) override {}
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s udp|tcp SECONDS\n", argv[0]);
    return 2;
  }
  const std::string t = argv[1];
  const TransportType type = t == "tcp" ? TransportType::Tcp : TransportType::Udp;
  asio::io_context io;
  AsioTimerService clock(io);
  TransportConfig cfg;
  cfg.listeners = {{type, "127.0.0.1", 0, ""}};
  TransportLayer net(io, clock, cfg);
  if (auto r = net.start(); !r) {
    std::fprintf(stderr, "%s\n", r.error().c_str());
    return 1;
  }
  Uas tu;
  TransactionLayer txn(clock, net, tu);
  tu.layer = &txn;
  net.setListener(&txn);
  std::printf("PORT %u\n", static_cast<unsigned>(net.localEndpoint(type, false)->port));
  std::fflush(stdout);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code&, int) { io.stop(); });
  io.run_for(std::chrono::seconds(std::atoi(argv[2])));
  const auto& s = net.stats();
  std::printf("STATS received=%llu sent=%llu malformed=%llu\n",
              static_cast<unsigned long long>(s.received), static_cast<unsigned long long>(s.sent),
              static_cast<unsigned long long>(s.malformedDropped + s.malformedAnswered));
  return 0;
}
