// DESIGN.md "Data on the hot path", measured: heap allocations per message on the receive
// paths of the transports (UDP datagram, TCP stream) once warmed up, and in the transaction
// layer for retransmission absorption and for a new server transaction. Counts operator new
// calls; prints the figures (RecordProperty) and pins them so a regression shows.
#include <gtest/gtest.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <new>

#include "config/timer_service.h"
#include "sip/message_builder.h"
#include "sip/transaction.h"
#include "sip/transport.h"
#include "transaction_test_util.h"

namespace {
std::atomic<std::size_t> gAllocations{0};
}  // namespace

// noinline: GCC 12 otherwise pairs an inlined new with free() and warns
// (-Wmismatched-new-delete).
[[gnu::noinline]] void* operator new(std::size_t n) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace siptgw::sip {
namespace {

using asio::ip::tcp;
using asio::ip::udp;

class Counter final : public TransportListener {
 public:
  void onMessage(Message& m, const Source&) override {
    ++n;
    lastRport = m.topVia() ? m.topVia()->rportValue.value_or(0) : 0;
  }
  void onSendFailed(std::uint64_t, TransportErrc) override {}
  std::size_t n = 0;
  std::uint16_t lastRport = 0;
};

void pump(asio::io_context& io, Counter& c, std::size_t want) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (c.n < want && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(2));
  }
}

constexpr std::size_t kWarm = 20;
constexpr std::size_t kMeasured = 200;

TEST(HotPathAllocations, UdpReceiveWithViaStamp) {
  asio::io_context io;
  ManualTimerService clock;
  TransportConfig cfg;
  cfg.listeners = {{TransportType::Udp, "127.0.0.1", 0, ""}};
  TransportLayer net(io, clock, cfg);
  ASSERT_TRUE(net.start());
  Counter c;
  net.setListener(&c);
  udp::socket peer(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  udp::endpoint to(asio::ip::make_address("127.0.0.1"), net.localEndpoint(TransportType::Udp, false)->port);
  const std::string req = testing::request("OPTIONS", "z9hG4bKalloc", "SIP/2.0/UDP 192.0.2.1:5060;rport");
  for (std::size_t i = 0; i < kWarm; ++i) peer.send_to(asio::buffer(req), to);
  pump(io, c, kWarm);
  ASSERT_EQ(c.n, kWarm);
  const std::size_t before = gAllocations.load();
  for (std::size_t i = 0; i < kMeasured; ++i) {
    peer.send_to(asio::buffer(req), to);
    pump(io, c, kWarm + i + 1);
  }
  const std::size_t allocs = gAllocations.load() - before;
  ASSERT_EQ(c.n, kWarm + kMeasured);
  EXPECT_EQ(c.lastRport, peer.local_endpoint().port());
  std::cout << "[ figure ] UDP receive + parse + Via stamp: " << allocs << " allocations / "
            << kMeasured << " datagrams\n";
  RecordProperty("udp_allocs_per_200", static_cast<int>(allocs));
  EXPECT_EQ(allocs, 0u);
}

TEST(HotPathAllocations, TcpStreamReceive) {
  asio::io_context io;
  ManualTimerService clock;
  TransportConfig cfg;
  cfg.listeners = {{TransportType::Tcp, "127.0.0.1", 0, ""}};
  TransportLayer net(io, clock, cfg);
  ASSERT_TRUE(net.start());
  Counter c;
  net.setListener(&c);
  tcp::socket peer(io);
  peer.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), net.localEndpoint(TransportType::Tcp, false)->port));
  const std::string req = testing::request("OPTIONS", "z9hG4bKalloc", "SIP/2.0/TCP 192.0.2.1:5060");
  for (std::size_t i = 0; i < kWarm; ++i) asio::write(peer, asio::buffer(req));
  pump(io, c, kWarm);
  ASSERT_EQ(c.n, kWarm);
  const std::size_t before = gAllocations.load();
  for (std::size_t i = 0; i < kMeasured; ++i) {
    asio::write(peer, asio::buffer(req));
    pump(io, c, kWarm + i + 1);
  }
  const std::size_t allocs = gAllocations.load() - before;
  ASSERT_EQ(c.n, kWarm + kMeasured);
  std::cout << "[ figure ] TCP receive + framing + parse + Via stamp: " << allocs
            << " allocations / " << kMeasured << " messages\n";
  RecordProperty("tcp_allocs_per_200", static_cast<int>(allocs));
  EXPECT_EQ(allocs, 0u);
}

TEST(HotPathAllocations, TransactionLayer) {
  testing::Harness h;
  const std::string inv = testing::request("INVITE", "z9hG4bKtx");
  h.receive(inv, testing::udpPeer());
  Message m;
  ASSERT_TRUE(m.parse(inv));
  // Retransmission absorption: match, resend the 100 (the fake transport copies the bytes
  // it is given, so its own allocation is subtracted).
  std::size_t before = gAllocations.load();
  h.net.sent.reserve(1000);
  std::size_t reserveCost = gAllocations.load() - before;
  before = gAllocations.load();
  for (int i = 0; i < 100; ++i) h.layer.onMessage(m, testing::udpPeer());
  std::size_t absorb = gAllocations.load() - before - 100;  // minus FakeTransport's copies
  (void)reserveCost;
  std::cout << "[ figure ] INVITE retransmission absorbed: " << absorb << " allocations / 100\n";
  EXPECT_EQ(absorb, 0u);
  EXPECT_EQ(h.layer.stats().retransmissionsAbsorbed, 100u);

  // A new server transaction (unavoidable: the transaction object, its copy of the request,
  // its keys and map nodes, the 100 Trying).
  const std::string opt = testing::request("OPTIONS", "z9hG4bKnew");
  Message o;
  ASSERT_TRUE(o.parse(opt));
  before = gAllocations.load();
  h.layer.onMessage(o, testing::udpPeer());
  const std::size_t create = gAllocations.load() - before;
  std::cout << "[ figure ] new non-INVITE server transaction: " << create << " allocations\n";
  EXPECT_LE(create, 12u);  // 12 measured (GCC 12, libstdc++)
}

// A server transaction's whole life once the layer is warm: created, answered, Timer J in
// its linger lane, ended, reaped. The layer's own allocations are the transaction object
// and its keys and kept response; the map node and the reaper's list are reused
// (SpareNodes, two vectors that keep their capacity).
TEST(HotPathAllocations, ServerTransactionLifeReusesNodeAndReaperList) {
  testing::Harness h;
  h.net.sent.reserve(100);
  h.tu.events.reserve(100);
  auto life = [&h](const std::string& branch) {
    const std::string req = testing::optionsOwnCall(branch);
    auto rx = MessageRef::parse(req);
    std::string rsp;
    rsp.reserve(1024);
    const std::size_t before = gAllocations.load();
    h.layer.onMessage(rx->mutableMessage(), testing::udpPeer());
    Transaction* t = h.layer.find(h.tu.lastServer);
    MessageBuilder b(rsp, 0);
    appendResponseFor(b, t->request(), 200, "OK", "uas1");
    b.finish();
    EXPECT_TRUE(h.layer.respond(t->id(), rsp).ok());
    h.clock.advance(32100);  // Timer J, rounded up to the lane's step
    h.clock.runUntilIdle();  // the reaper
    EXPECT_EQ(h.layer.size(), 0u);
    return gAllocations.load() - before - 1;  // minus FakeTransport's copy of the 200
  };
  life("z9hG4bKwarm1");
  life("z9hG4bKwarm2");  // the reaper's two lists alternate: both have room from here on
  const std::size_t warm = life("z9hG4bKlife");
  std::cout << "[ figure ] server transaction, whole life, warm layer: " << warm << " allocations\n";
  EXPECT_LE(warm, 5u);  // measured 5 (GCC 12, libstdc++); 7 before node and list reuse
}

}  // namespace
}  // namespace siptgw::sip
