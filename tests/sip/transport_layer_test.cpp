// SIP transports (RFC 3261 §18): the pure rules (Via stamping §18.2.1 / RFC 3581, response
// routing §18.2.2, the MTU rule §18.1.1, 400 for malformed requests) and real loopback
// sockets — UDP, TCP and TLS (a self-signed certificate made with the openssl CLI at test
// time), IPv4 and IPv6, framing, keep-alive pong, connection reuse, idle close, connect
// failures, and the transaction layer running on top.
#include <gtest/gtest.h>

#include <algorithm>
#include <asio.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "config/timer_service.h"
#include "sip/message_builder.h"
#include "sip/transaction.h"
#include "sip/transport.h"
#include "transaction_test_util.h"

namespace siptgw::sip {
namespace {

using asio::ip::tcp;
using asio::ip::udp;

// ---------------------------------------------------------------- pure §18 rules

Source src(std::string_view ip, std::uint16_t port, TransportType t = TransportType::Udp) {
  return Source{t, *Endpoint::fromIp(ip, port), *Endpoint::fromIp("10.0.0.1", 5060), 3};
}

std::string stamp(std::string_view via, const Source& s) {
  auto v = parseVia(via);
  EXPECT_TRUE(v.ok()) << via;
  std::string out;
  return stampVia(via, *v, s, out) ? out : std::string(via);
}

// Via hosts and received= values become endpoints without inet_pton for IPv4; the same
// inputs must give the same answers inet_pton would (leading zeros and names refused).
TEST(EndpointFromIp, Ipv4AndIpv6Literals) {
  auto a = Endpoint::fromIp("192.0.2.254", 5060);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->v6);
  EXPECT_EQ(a->addr[0], 192);
  EXPECT_EQ(a->addr[1], 0);
  EXPECT_EQ(a->addr[2], 2);
  EXPECT_EQ(a->addr[3], 254);
  EXPECT_EQ(a->port, 5060);
  EXPECT_EQ(Endpoint::fromIp("0.0.0.0", 1)->addr[0], 0);
  for (std::string_view bad : {"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4 ", "1..3.4",
                               "a.b.c.d", "example.com", "1.2.3.-4", "1234.2.3.4", "", "[]"}) {
    EXPECT_FALSE(Endpoint::fromIp(bad, 0).has_value()) << bad;
  }
  auto v6 = Endpoint::fromIp("[2001:db8::1]", 5061);
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->v6);
  EXPECT_EQ(v6->addr[0], 0x20);
  EXPECT_EQ(v6->addr[15], 1);
  EXPECT_TRUE(Endpoint::fromIp("::ffff:192.0.2.1", 0).has_value());
  EXPECT_FALSE(Endpoint::fromIp("2001:db8::g", 0).has_value());
}

TEST(ViaStamp, ReceivedOnlyWhenHostDiffers) {
  // §18.2.1: same address → untouched; other address or a host name → received.
  EXPECT_EQ(stamp("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1", src("192.0.2.1", 5060)),
            "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1");
  EXPECT_EQ(stamp("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1", src("198.51.100.7", 5060)),
            "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;received=198.51.100.7");
  EXPECT_EQ(stamp("SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1", src("192.0.2.1", 5060)),
            "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;received=192.0.2.1");
}

TEST(ViaStamp, Rfc3581Rport) {
  // RFC 3581 §4: rport present → rport=<source port> and received, even for the same host.
  EXPECT_EQ(stamp("SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1", src("192.0.2.1", 40123)),
            "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;received=192.0.2.1;rport=40123");
  EXPECT_EQ(stamp("SIP/2.0/TCP [2001:db8::5]:5060;branch=z9hG4bK2;rport", src("2001:db8::9", 5070)),
            "SIP/2.0/TCP [2001:db8::5]:5060;branch=z9hG4bK2;received=2001:db8::9;rport=5070");
  // IPv6 sent-by equal to the source in another spelling: no received.
  EXPECT_EQ(stamp("SIP/2.0/UDP [2001:DB8:0::5];branch=z9hG4bK3", src("2001:db8::5", 5060)),
            "SIP/2.0/UDP [2001:DB8:0::5];branch=z9hG4bK3");
}

TEST(ResponseRouting, Section18_2_2) {
  auto dst = [](std::string_view via, const Source& s) {
    auto v = parseVia(via);
    EXPECT_TRUE(v.ok());
    return responseDestination(*v, s);
  };
  // Unreliable: received + rport.
  auto d = dst("SIP/2.0/UDP h.example;branch=z9hG4bK1;received=192.0.2.1;rport=40000",
               src("192.0.2.1", 40000));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->remote.toString(), "192.0.2.1:40000");
  EXPECT_EQ(d->connection, 3u);
  // received without rport: the sent-by port (default 5060).
  d = dst("SIP/2.0/UDP h.example;branch=z9hG4bK1;received=192.0.2.1", src("192.0.2.1", 40000));
  EXPECT_EQ(d->remote.toString(), "192.0.2.1:5060");
  // maddr wins.
  d = dst("SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;maddr=239.255.255.1;ttl=1", src("192.0.2.1", 5070));
  EXPECT_EQ(d->remote.toString(), "239.255.255.1:5070");
  // Plain IP sent-by.
  d = dst("SIP/2.0/UDP 192.0.2.4:5080;branch=z9hG4bK1", src("192.0.2.4", 5080));
  EXPECT_EQ(d->remote.toString(), "192.0.2.4:5080");
  // A host name without received cannot be routed without DNS.
  EXPECT_FALSE(dst("SIP/2.0/UDP h.example;branch=z9hG4bK1", src("192.0.2.1", 5060)));
  // Reliable: the connection, falling back to received and the sent-by port.
  d = dst("SIP/2.0/TLS h.example:5061;branch=z9hG4bK1;received=192.0.2.1",
          src("192.0.2.1", 41000, TransportType::Tls));
  EXPECT_EQ(d->transport, TransportType::Tls);
  EXPECT_EQ(d->connection, 3u);
  EXPECT_EQ(d->remote.toString(), "192.0.2.1:5061");
  d = dst("SIP/2.0/TCP [2001:db8::1];branch=z9hG4bK1", src("2001:db8::1", 41000, TransportType::Tcp));
  EXPECT_EQ(d->remote.toString(), "[2001:db8::1]:5060");
}

TEST(ViaSentBy, Section18_1_2) {
  auto v = [](std::string_view value) { return *parseVia(value); };
  EXPECT_TRUE(viaSentByIs(v("SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa"), "192.0.2.1:5070"));
  EXPECT_TRUE(viaSentByIs(v("SIP/2.0/UDP GW.Example.com:5070;branch=z9hG4bKa"), "gw.example.COM:5070"));
  EXPECT_FALSE(viaSentByIs(v("SIP/2.0/UDP 192.0.2.1:5071;branch=z9hG4bKa"), "192.0.2.1:5070"));
  EXPECT_FALSE(viaSentByIs(v("SIP/2.0/UDP 192.0.2.2:5070;branch=z9hG4bKa"), "192.0.2.1:5070"));
  // No port: the transport's default (§19.1.2).
  EXPECT_TRUE(viaSentByIs(v("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa"), "192.0.2.1:5060"));
  EXPECT_TRUE(viaSentByIs(v("SIP/2.0/TLS 192.0.2.1;branch=z9hG4bKa"), "192.0.2.1:5061"));
  EXPECT_FALSE(viaSentByIs(v("SIP/2.0/TLS 192.0.2.1;branch=z9hG4bKa"), "192.0.2.1:5060"));
  // received/rport added by the peer do not matter; IPv6 references keep their brackets.
  EXPECT_TRUE(viaSentByIs(v("SIP/2.0/UDP [2001:db8::1]:5060;received=2001:db8::9;rport=1"), "[2001:db8::1]:5060"));
  EXPECT_FALSE(viaSentByIs(v("SIP/2.0/UDP 192.0.2.1:5060"), ""));
}

TEST(MtuRule, SwitchesAndRewritesVia) {
  std::string req = testing::outRequest("MESSAGE", "z9hG4bKm", "UDP", "", std::string(1500, 'b'));
  Destination d = testing::udpDest();
  ASSERT_TRUE(applyUdpSizeLimit(req, d, 1300, "10.0.0.1:5062"));
  EXPECT_EQ(d.transport, TransportType::Tcp);
  auto m = parseMessage(req);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->find(HeaderId::Via)->value, "SIP/2.0/TCP 10.0.0.1:5062;branch=z9hG4bKm;rport");
  Destination t = testing::tcpDest();
  EXPECT_FALSE(applyUdpSizeLimit(req, t, 1300, ""));  // not UDP
  std::string small = testing::outRequest("MESSAGE", "z9hG4bKs");
  Destination u = testing::udpDest();
  EXPECT_FALSE(applyUdpSizeLimit(small, u, 1300, ""));
  EXPECT_EQ(u.transport, TransportType::Udp);
}

TEST(BadRequest, NamesTheProblem) {
  const std::string bad =
      "INVITE sip:x@gw SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKb;rport\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:x@gw>\r\nCall-ID: c1\r\nCSeq: abc INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  std::string r = buildBadRequest(bad, "line 6: CSeq: \"bad\" number", "10.0.0.1:5060", src("192.0.2.1", 5062));
  auto m = parseMessage(r);
  ASSERT_TRUE(m.ok()) << r;
  EXPECT_EQ(m->statusCode(), 400);
  EXPECT_EQ(m->reasonPhrase(), "Bad Request (line 6: CSeq: \"bad\" number)");
  EXPECT_EQ(m->find(HeaderId::Warning)->value, "399 10.0.0.1:5060 \"line 6: CSeq: \\\"bad\\\" number\"");
  EXPECT_EQ(m->topVia()->rportValue, 5062);
  EXPECT_EQ(m->topVia()->received, "192.0.2.1");
  EXPECT_EQ(*m->callId(), "c1");
  EXPECT_EQ(m->find(HeaderId::CSeq)->value, "abc INVITE");
  // Unusable: an ACK, no Via, not a request line.
  EXPECT_EQ(buildBadRequest("ACK sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n", "x", "", src("192.0.2.1", 1)), "");
  EXPECT_EQ(buildBadRequest("OPTIONS sip:x SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n", "x", "", src("192.0.2.1", 1)), "");
  EXPECT_EQ(buildBadRequest("\x01\x02garbage", "x", "", src("192.0.2.1", 1)), "");
  EXPECT_EQ(buildBadRequest("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n", "x", "", src("192.0.2.1", 1)), "");
}

// Property over mutated requests: whatever fails to parse is either dropped or answered
// with a 400 that itself parses, carries the request's top Via branch and a Warning.
TEST(BadRequest, MutatedRequestsGetWellFormed400OrNothing) {
  const std::string base = testing::request("INVITE", "z9hG4bKmut", "SIP/2.0/UDP 192.0.2.1:5060;rport",
                                            "ft", "", 7, "mut@x", "Contact: <sip:a@192.0.2.1>\r\n", "v=0\r\n");
  std::uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(seed >> 33);
  };
  int answered = 0, dropped = 0, parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string m = base;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = next() % m.size();
      switch (next() % 3) {
        case 0: m[pos] = static_cast<char>(next() & 0xff); break;
        case 1: m.erase(pos, 1 + next() % 8); break;
        default: m.insert(pos, 1, "\r\n:;,<>\"\\ \0"[next() % 11]); break;
      }
      if (m.empty()) m = "x";
    }
    Message msg;
    auto r = msg.parse(m);
    if (r) {
      ++parsed;
      continue;
    }
    std::string rsp = buildBadRequest(m, r.error().message(), "10.0.0.1:5060", src("192.0.2.1", 5060));
    if (rsp.empty()) {
      ++dropped;
      continue;
    }
    ++answered;
    auto out = parseMessage(rsp);
    ASSERT_TRUE(out.ok()) << "unparsable 400 for:\n" << m << "\n---\n" << rsp;
    EXPECT_EQ(out->statusCode(), 400);
    EXPECT_NE(out->find(HeaderId::Warning), nullptr);
    ASSERT_TRUE(out->topVia().ok()) << rsp;
  }
  std::cout << "[ figure ] 3000 mutated INVITEs: " << parsed << " still parse, " << answered
            << " answered 400, " << dropped << " dropped\n";
  EXPECT_GT(answered, 100);
  EXPECT_GT(dropped, 10);
}

// ----------------------------------------------------------------- real sockets

struct Received {
  std::string bytes;
  Source src;
};

class Collector final : public TransportListener {
 public:
  void onMessage(Message& m, const Source& s) override {
    std::string b;
    serialize(m, b);
    got.push_back({b, s});
    if (reply) reply(m, s);
  }
  void onSendFailed(std::uint64_t cookie, TransportErrc why) override { failed.emplace_back(cookie, why); }
  std::vector<Received> got;
  std::vector<std::pair<std::uint64_t, TransportErrc>> failed;
  std::function<void(Message&, const Source&)> reply;
};

bool runUntil(asio::io_context& io, const std::function<bool()>& done, int ms = 3000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::string options(std::string_view via, std::string_view branch, std::uint32_t cseq = 1) {
  return testing::request("OPTIONS", branch, via, "ft", "", cseq, "cid@test");
}

struct Node {
  explicit Node(asio::io_context& io, TransportConfig cfg) : layer(io, clock, std::move(cfg)) {
    layer.setListener(&sink);
  }
  ManualTimerService clock;
  Collector sink;
  TransportLayer layer;
};

TransportConfig listenOn(std::initializer_list<ListenConfig> l) {
  TransportConfig c;
  c.listeners = l;
  return c;
}

TEST(UdpTransport, ReceiveStampRespond) {
  asio::io_context io;
  Node n(io, listenOn({{TransportType::Udp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  Endpoint local = *n.layer.localEndpoint(TransportType::Udp, false);
  EXPECT_EQ(n.layer.sentBy(TransportType::Udp, false), "127.0.0.1:" + std::to_string(local.port));

  udp::socket peer(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto peerPort = peer.local_endpoint().port();
  // The peer claims another address in its Via and asks for rport.
  std::string req = options("SIP/2.0/UDP 192.0.2.77:5060;rport", "z9hG4bKu1");
  peer.send_to(asio::buffer(req), udp::endpoint(asio::ip::make_address("127.0.0.1"), local.port));
  ASSERT_TRUE(runUntil(io, [&] { return !n.sink.got.empty(); }));
  auto m = parseMessage(n.sink.got[0].bytes);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->topVia()->received, "127.0.0.1");
  EXPECT_EQ(m->topVia()->rportValue, peerPort);
  EXPECT_EQ(n.sink.got[0].src.remote.port, peerPort);
  EXPECT_EQ(n.sink.got[0].src.transport, TransportType::Udp);

  // The response goes to received:rport from the same socket.
  auto dst = responseDestination(*m->topVia(), n.sink.got[0].src);
  ASSERT_TRUE(dst);
  std::string rsp;
  MessageBuilder b(rsp);
  appendResponseFor(b, *m, 200, "OK", "x1");
  b.finish();
  ASSERT_EQ(n.layer.send(*dst, rsp, 0), TransportErrc::Ok);
  char buf[4096];
  udp::endpoint from;
  std::size_t got = 0;
  peer.async_receive_from(asio::buffer(buf), from, [&](auto ec, std::size_t k) { if (!ec) got = k; });
  ASSERT_TRUE(runUntil(io, [&] { return got > 0; }));
  EXPECT_EQ(std::string(buf, got), rsp);
  EXPECT_EQ(from.port(), local.port);
  EXPECT_EQ(n.layer.stats().received, 1u);
  EXPECT_EQ(n.layer.stats().sent, 1u);
}

// §18.1.2: a response whose top Via sent-by is not ours is discarded silently.
TEST(UdpTransport, ResponseWithForeignViaIsDiscarded) {
  asio::io_context io;
  Node n(io, listenOn({{TransportType::Udp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  const Endpoint local = *n.layer.localEndpoint(TransportType::Udp, false);
  udp::socket peer(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto response = [](std::string_view via, std::string_view branch) {
    return "SIP/2.0 200 OK\r\nVia: " + std::string(via) + ";branch=" + std::string(branch) +
           "\r\nFrom: <sip:a@example.com>;tag=f\r\nTo: <sip:b@example.com>;tag=t\r\n"
           "Call-ID: cid@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  };
  const udp::endpoint to(asio::ip::make_address("127.0.0.1"), local.port);
  peer.send_to(asio::buffer(response("SIP/2.0/UDP 127.0.0.1:" + std::to_string(local.port + 1), "z9hG4bKf1")), to);
  peer.send_to(asio::buffer(response("SIP/2.0/UDP 192.0.2.1:" + std::to_string(local.port), "z9hG4bKf2")), to);
  peer.send_to(asio::buffer(response("SIP/2.0/UDP 127.0.0.1:" + std::to_string(local.port), "z9hG4bKok")), to);
  ASSERT_TRUE(runUntil(io, [&] { return n.layer.stats().received == 3; }));
  ASSERT_TRUE(runUntil(io, [&] { return !n.sink.got.empty(); }));
  ASSERT_EQ(n.sink.got.size(), 1u);
  EXPECT_NE(n.sink.got[0].bytes.find("z9hG4bKok"), std::string::npos);
  EXPECT_EQ(n.layer.stats().foreignViaDropped, 2u);
}

TEST(UdpTransport, MalformedRequestGets400OrIsDropped) {
  asio::io_context io;
  Node n(io, listenOn({{TransportType::Udp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  const auto port = n.layer.localEndpoint(TransportType::Udp, false)->port;
  udp::socket peer(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  udp::endpoint to(asio::ip::make_address("127.0.0.1"), port);
  // CSeq method differs from the request method.
  std::string bad = testing::request("OPTIONS", "z9hG4bKbad", "SIP/2.0/UDP 127.0.0.1:1;rport");
  bad.replace(bad.find("CSeq: 1 OPTIONS"), 15, "CSeq: 1 INVITE ");
  peer.send_to(asio::buffer(bad), to);
  // Junk and a request without any usable Via: dropped, counted.
  peer.send_to(asio::buffer(std::string("\x16\x03\x01 not sip at all\r\n\r\n")), to);
  peer.send_to(asio::buffer(std::string("OPTIONS sip:x SIP/2.0\r\nVia: nonsense\r\nCSeq: 1 OPTIONS\r\n\r\n")), to);
  char buf[4096];
  udp::endpoint from;
  std::size_t got = 0;
  peer.async_receive_from(asio::buffer(buf), from, [&](auto ec, std::size_t k) { if (!ec) got = k; });
  ASSERT_TRUE(runUntil(io, [&] { return got > 0 && n.layer.stats().malformedDropped == 2; }));
  auto m = parseMessage(std::string_view(buf, got));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->statusCode(), 400);
  EXPECT_EQ(m->reasonPhrase(), "Bad Request (CSeq method does not match the request method)");
  EXPECT_NE(m->find(HeaderId::Warning), nullptr);
  EXPECT_EQ(m->topVia()->branch, "z9hG4bKbad");
  EXPECT_TRUE(n.sink.got.empty());
  EXPECT_EQ(n.layer.stats().malformedAnswered, 1u);
  EXPECT_EQ(n.layer.stats().malformedDropped, 2u);
}

// A 200 for each request the Collector sees, sent from within onMessage as a transaction
// would (cookie: the request's CSeq number).
void answerEach(Node& n) {
  n.sink.reply = [&n](Message& m, const Source& s) {
    auto dst = responseDestination(*m.topVia(), s);
    ASSERT_TRUE(dst);
    std::string rsp;
    MessageBuilder b(rsp);
    appendResponseFor(b, m, 200, "OK", "x1");
    b.finish();
    EXPECT_EQ(n.layer.send(*dst, rsp, m.cseq()->number), TransportErrc::Ok);
  };
}

// Reads datagrams on `peer` until `count` have come or 3 s pass.
std::vector<std::string> receiveAll(asio::io_context& io, udp::socket& peer, std::size_t count) {
  std::vector<std::string> out;
  std::vector<char> buf(65536);
  udp::endpoint from;
  std::function<void()> next = [&] {
    peer.async_receive_from(asio::buffer(buf), from, [&](auto ec, std::size_t k) {
      if (ec) return;
      out.emplace_back(buf.data(), k);
      if (out.size() < count) next();
    });
  };
  next();
  runUntil(io, [&] { return out.size() >= count; });
  if (out.size() < count) peer.cancel();
  return out;
}

// Datagrams already queued when the layer wakes are read 16 per recvmmsg, four calls at
// most before the loop is given back (the rest in the next wake-up), and the responses sent
// while a batch is handled leave in one sendmmsg per batch; order is kept both ways.
TEST(UdpTransport, DatagramsMoveInBatches) {
  asio::io_context io;
  Node n(io, listenOn({{TransportType::Udp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  answerEach(n);
  const auto port = n.layer.localEndpoint(TransportType::Udp, false)->port;
  udp::socket peer(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string via = "SIP/2.0/UDP 127.0.0.1:" + std::to_string(peer.local_endpoint().port());
  constexpr std::uint32_t kCount = 70;
  for (std::uint32_t i = 1; i <= kCount; ++i) {
    peer.send_to(asio::buffer(options(via, "z9hG4bKb" + std::to_string(i), i)),
                 udp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  ASSERT_TRUE(runUntil(io, [&] { return n.sink.got.size() == kCount; }));
  auto rsp = receiveAll(io, peer, kCount);
  ASSERT_EQ(rsp.size(), kCount);
  for (std::uint32_t i = 1; i <= kCount; ++i) {
    auto q = parseMessage(n.sink.got[i - 1].bytes);
    auto r = parseMessage(rsp[i - 1]);
    ASSERT_TRUE(q.ok() && r.ok());
    EXPECT_EQ(q->cseq()->number, i);
    EXPECT_EQ(r->cseq()->number, i);
    EXPECT_EQ(r->statusCode(), 200);
  }
  const TransportStats& st = n.layer.stats();
  EXPECT_EQ(st.received, kCount);
  EXPECT_EQ(st.sent, kCount);
  EXPECT_EQ(st.udpReadCalls, 5u);  // 16, 16, 16, 16; then, woken again, 6
  EXPECT_EQ(st.udpWriteCalls, 5u);
  EXPECT_EQ(st.udpPolls, 0u);  // no coalescing by default
  EXPECT_TRUE(n.sink.failed.empty());
  // Outside a batch (a timer's send, say) a datagram leaves at once, in a call of its own.
  auto last = parseMessage(n.sink.got.back().bytes);
  ASSERT_TRUE(last.ok());
  auto dst = responseDestination(*last->topVia(), n.sink.got.back().src);
  ASSERT_TRUE(dst);
  ASSERT_EQ(n.layer.send(*dst, rsp.back(), 0), TransportErrc::Ok);
  EXPECT_EQ(st.udpWriteCalls, 6u);
  EXPECT_EQ(st.sent, kCount + 1);
  EXPECT_EQ(receiveAll(io, peer, 1), std::vector<std::string>{rsp.back()});
}

// A number from /proc (sysctl or status file); 0 when unreadable.
unsigned long long procNumber(const char* path, const char* key = nullptr, int base = 10) {
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (key == nullptr) return std::strtoull(line.c_str(), nullptr, base);
    if (line.rfind(key, 0) == 0)
      return std::strtoull(line.c_str() + std::strlen(key), nullptr, base);
  }
  return 0;
}

// udpReceiveBufferBytes: the kernel holds twice the bytes asked (socket(7)); without
// CAP_NET_ADMIN, net.core.rmem_max caps what is asked. Unset, the socket keeps rmem_default.
TEST(UdpTransport, ReceiveBufferAsConfigured) {
  const auto rmemMax = procNumber("/proc/sys/net/core/rmem_max");
  const auto rmemDefault = procNumber("/proc/sys/net/core/rmem_default");
  ASSERT_GT(rmemMax, 0u);
  // CAP_NET_ADMIN is capability bit 12.
  const bool netAdmin = (procNumber("/proc/self/status", "CapEff:", 16) >> 12) & 1;
  asio::io_context io;
  {
    Node n(io, listenOn({{TransportType::Udp, "127.0.0.1", 0, ""}}));
    EXPECT_EQ(n.layer.udpReceiveBufferKernelBytes(), 0u);  // no socket yet
    ASSERT_TRUE(n.layer.start());
    EXPECT_EQ(n.layer.udpReceiveBufferKernelBytes(), rmemDefault);
  }
  constexpr std::uint32_t kAsked = 4u << 20;
  TransportConfig cfg =
      listenOn({{TransportType::Udp, "127.0.0.1", 0, ""}, {TransportType::Udp, "::1", 0, ""}});
  cfg.udpReceiveBufferBytes = kAsked;
  Node n(io, std::move(cfg));
  ASSERT_TRUE(n.layer.start());
  const unsigned long long granted =
      netAdmin ? kAsked : std::min<unsigned long long>(kAsked, rmemMax);
  EXPECT_EQ(n.layer.udpReceiveBufferKernelBytes(), 2 * granted) << "CAP_NET_ADMIN " << netAdmin;
}

// udpCoalesceUs: a read that finds datagrams is followed by another one interval later, not
// by a wait for readiness, so what arrives meanwhile waits for it and comes in one read;
// after four reads in a row find nothing, the socket is waited on again and a datagram is
// read as soon as it comes.
TEST(UdpTransport, CoalescingReadsOnAnIntervalWhileDatagramsCome) {
  asio::io_context io;
  TransportConfig cfg = listenOn({{TransportType::Udp, "127.0.0.1", 0, ""}});
  cfg.udpCoalesceUs = 100000;  // 100 ms: long beside the test's own steps
  Node n(io, std::move(cfg));
  ASSERT_TRUE(n.layer.start());
  const auto port = n.layer.localEndpoint(TransportType::Udp, false)->port;
  udp::socket peer(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const udp::endpoint to(asio::ip::make_address("127.0.0.1"), port);
  auto sendOne = [&](std::uint32_t i) {
    const std::string req = options("SIP/2.0/UDP 127.0.0.1:1", "z9hG4bKc" + std::to_string(i), i);
    peer.send_to(asio::buffer(req), to);
  };
  const TransportStats& st = n.layer.stats();
  sendOne(1);
  ASSERT_TRUE(runUntil(io, [&] { return n.sink.got.size() == 1; }));
  EXPECT_EQ(st.udpPolls, 0u);  // read on readiness
  for (std::uint32_t i = 2; i <= 4; ++i) sendOne(i);
  io.restart();
  io.run_for(std::chrono::milliseconds(10));
  EXPECT_EQ(n.sink.got.size(), 1u);  // waiting for the interval
  ASSERT_TRUE(runUntil(io, [&] { return n.sink.got.size() == 4; }));
  EXPECT_EQ(st.udpPolls, 1u);
  EXPECT_EQ(st.udpReadCalls, 2u);
  // Four empty reads, then readiness again: no more reads while nothing comes.
  ASSERT_TRUE(runUntil(io, [&] { return st.udpPolls == 5; }));
  io.restart();
  io.run_for(std::chrono::milliseconds(300));
  EXPECT_EQ(st.udpPolls, 5u);
  sendOne(5);
  ASSERT_TRUE(runUntil(io, [&] { return n.sink.got.size() == 5; }));
  EXPECT_EQ(st.udpPolls, 5u);
  EXPECT_EQ(st.udpReadCalls, 3u);
  EXPECT_EQ(st.received, 5u);
}

// A datagram larger than a receive slot (4 KiB) continues in the slot's own spill area:
// arriving between two small ones in one batch, each of the three is read whole.
TEST(UdpTransport, LargeDatagramInABatchIsReadWhole) {
  asio::io_context io;
  Node n(io, listenOn({{TransportType::Udp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  const auto port = n.layer.localEndpoint(TransportType::Udp, false)->port;
  udp::socket peer(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const udp::endpoint to(asio::ip::make_address("127.0.0.1"), port);
  const std::string via = "SIP/2.0/UDP 127.0.0.1:1";
  const std::string body(60000, 'b');
  const std::string big = testing::request("MESSAGE", "z9hG4bKbig", via, "ft", "", 2, "cid@test",
                                           "Content-Type: text/plain\r\n", body);
  ASSERT_GT(big.size(), 60000u);
  peer.send_to(asio::buffer(options(via, "z9hG4bKs1", 1)), to);
  peer.send_to(asio::buffer(big), to);
  peer.send_to(asio::buffer(options(via, "z9hG4bKs3", 3)), to);
  ASSERT_TRUE(runUntil(io, [&] { return n.sink.got.size() == 3; }));
  EXPECT_EQ(n.layer.stats().udpReadCalls, 1u);
  auto m = parseMessage(n.sink.got[1].bytes);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->body(), body);
  EXPECT_EQ(parseMessage(n.sink.got[0].bytes)->topVia()->branch, "z9hG4bKs1");
  EXPECT_EQ(parseMessage(n.sink.got[2].bytes)->topVia()->branch, "z9hG4bKs3");
}

// A batched send that the kernel refuses (a broadcast address without SO_BROADCAST) was
// accepted by send(); its failure reaches the listener with its cookie once the batch is
// out, and the messages after it in the batch still leave.
TEST(UdpTransport, RefusedDatagramInABatchIsReportedWithItsCookie) {
  asio::io_context io;
  Node n(io, listenOn({{TransportType::Udp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  const auto port = n.layer.localEndpoint(TransportType::Udp, false)->port;
  udp::socket peer(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  n.sink.reply = [&](Message& m, const Source& s) {
    Destination nowhere{TransportType::Udp, *Endpoint::fromIp("255.255.255.255", 5060), 0};
    EXPECT_EQ(n.layer.send(nowhere, "refused", 77), TransportErrc::Ok);
    EXPECT_EQ(n.layer.send(*responseDestination(*m.topVia(), s), "after", 78), TransportErrc::Ok);
  };
  peer.send_to(asio::buffer(options("SIP/2.0/UDP 127.0.0.1:" +
                                        std::to_string(peer.local_endpoint().port()),
                                    "z9hG4bKr1")),
               udp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  auto rsp = receiveAll(io, peer, 1);
  ASSERT_EQ(rsp.size(), 1u);
  EXPECT_EQ(rsp[0], "after");
  ASSERT_EQ(n.sink.failed.size(), 1u);
  EXPECT_EQ(n.sink.failed[0].first, 77u);
  EXPECT_EQ(n.sink.failed[0].second, TransportErrc::SendFailed);
  EXPECT_EQ(n.layer.stats().sendErrors, 1u);
  EXPECT_EQ(n.layer.stats().sent, 1u);
}

TEST(UdpTransport, Ipv6) {
  asio::io_context io;
  {
    asio::error_code ec;
    udp::socket probe(io);
    probe.open(udp::v6(), ec);
    if (!ec) probe.bind(udp::endpoint(asio::ip::make_address("::1"), 0), ec);
    if (ec) GTEST_SKIP() << "no IPv6 loopback";
  }
  Node n(io, listenOn({{TransportType::Udp, "::1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  Endpoint local = *n.layer.localEndpoint(TransportType::Udp, true);
  EXPECT_EQ(n.layer.sentBy(TransportType::Udp, true), "[::1]:" + std::to_string(local.port));
  udp::socket peer(io, udp::endpoint(asio::ip::make_address("::1"), 0));
  std::string req = options("SIP/2.0/UDP [::1]:" + std::to_string(peer.local_endpoint().port()), "z9hG4bK6");
  peer.send_to(asio::buffer(req), udp::endpoint(asio::ip::make_address("::1"), local.port));
  ASSERT_TRUE(runUntil(io, [&] { return !n.sink.got.empty(); }));
  auto m = parseMessage(n.sink.got[0].bytes);
  EXPECT_EQ(m->topVia()->received, "");  // sent-by equals the source
  EXPECT_TRUE(n.sink.got[0].src.remote.v6);
  auto dst = responseDestination(*m->topVia(), n.sink.got[0].src);
  ASSERT_TRUE(dst);
  EXPECT_EQ(dst->remote.toString(), "[::1]:" + std::to_string(peer.local_endpoint().port()));
}

TEST(TcpTransport, FramingKeepAliveAndSameConnectionResponse) {
  asio::io_context io;
  Node n(io, listenOn({{TransportType::Tcp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  const auto port = n.layer.localEndpoint(TransportType::Tcp, false)->port;
  tcp::socket peer(io);
  peer.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  // Two messages and half of a third in one write; a body with CRLFs inside; a keep-alive.
  std::string a = options("SIP/2.0/TCP 127.0.0.1:5999", "z9hG4bKt1", 1);
  std::string b = testing::request("MESSAGE", "z9hG4bKt2", "SIP/2.0/TCP 127.0.0.1:5999", "ft", "", 2,
                                   "cid@test", "Content-Type: text/plain\r\n", "hello\r\n\r\nworld");
  std::string c = options("SIP/2.0/TCP 127.0.0.1:5999", "z9hG4bKt3", 3);
  std::string first = a + b + c.substr(0, 40);
  asio::write(peer, asio::buffer(first));
  ASSERT_TRUE(runUntil(io, [&] { return n.sink.got.size() == 2; }));
  asio::write(peer, asio::buffer(c.substr(40) + "\r\n\r\n"));
  ASSERT_TRUE(runUntil(io, [&] { return n.sink.got.size() == 3 && n.layer.stats().keepAlivePongs == 1; }));
  EXPECT_EQ(n.sink.got[0].bytes, a);
  EXPECT_EQ(n.sink.got[1].bytes, b);
  EXPECT_EQ(n.sink.got[2].bytes, c);
  EXPECT_EQ(parseMessage(n.sink.got[1].bytes)->body(), "hello\r\n\r\nworld");
  EXPECT_EQ(n.sink.got[0].src.connection, n.sink.got[2].src.connection);
  // The pong is a single CRLF (RFC 5626 §3.5.1).
  char pong[2] = {};
  std::size_t pongLen = 0;
  asio::async_read(peer, asio::buffer(pong), [&](auto ec, std::size_t k) { if (!ec) pongLen = k; });
  ASSERT_TRUE(runUntil(io, [&] { return pongLen == 2; }));
  EXPECT_EQ(std::string(pong, 2), "\r\n");

  // A response to the connection the request came on (§18.2.2), even though the Via's
  // sent-by port (5999) is not listening.
  auto m = parseMessage(n.sink.got[0].bytes);
  auto dst = responseDestination(*m->topVia(), n.sink.got[0].src);
  std::string rsp;
  MessageBuilder mb(rsp);
  appendResponseFor(mb, *m, 200, "OK", "x");
  mb.finish();
  ASSERT_EQ(n.layer.send(*dst, rsp, 0), TransportErrc::Ok);
  std::string got(rsp.size(), '\0');
  std::size_t k = 0;
  asio::async_read(peer, asio::buffer(got), [&](auto ec, std::size_t r) { if (!ec) k = r; });
  ASSERT_TRUE(runUntil(io, [&] { return k == rsp.size(); }));
  EXPECT_EQ(got, rsp);
  EXPECT_EQ(n.layer.openConnections(), 1u);
  EXPECT_EQ(n.layer.stats().connectionsAccepted, 1u);

  // Idle timeout closes it: the peer reads EOF.
  n.clock.advance(TransportConfig{}.idleTimeoutMs);
  EXPECT_EQ(n.layer.openConnections(), 0u);
  EXPECT_EQ(n.layer.stats().idleClosed, 1u);
  bool eof = false;
  char x;
  peer.async_read_some(asio::buffer(&x, 1), [&](auto ec, std::size_t) { eof = ec == asio::error::eof || ec; });
  ASSERT_TRUE(runUntil(io, [&] { return eof; }));
}

TEST(TcpTransport, FramingErrorClosesConnection) {
  asio::io_context io;
  Node n(io, listenOn({{TransportType::Tcp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  tcp::socket peer(io);
  peer.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                             n.layer.localEndpoint(TransportType::Tcp, false)->port));
  asio::write(peer, asio::buffer(std::string("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n")));
  ASSERT_TRUE(runUntil(io, [&] { return n.layer.stats().malformedDropped == 1; }));
  EXPECT_EQ(n.layer.openConnections(), 0u);
  EXPECT_TRUE(n.sink.got.empty());
}

TEST(TcpTransport, OutgoingConnectionReuseAndIdleKeepsBusyConnection) {
  asio::io_context io;
  Node n(io, listenOn({{TransportType::Tcp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  tcp::acceptor acc(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Endpoint remote = *Endpoint::fromIp("127.0.0.1", acc.local_endpoint().port());
  tcp::socket server(io);
  int accepted = 0;
  acc.async_accept(server, [&](auto ec) { accepted += !ec; });
  std::string r1 = options("SIP/2.0/TCP 127.0.0.1:5060", "z9hG4bKo1", 1);
  std::string r2 = options("SIP/2.0/TCP 127.0.0.1:5060", "z9hG4bKo2", 2);
  Destination d{TransportType::Tcp, remote, 0};
  ASSERT_EQ(n.layer.send(d, r1, 11), TransportErrc::Ok);  // queued while connecting
  ASSERT_EQ(n.layer.send(d, r2, 12), TransportErrc::Ok);
  std::string got(r1.size() + r2.size(), '\0');
  std::size_t k = 0;
  ASSERT_TRUE(runUntil(io, [&] { return accepted == 1; }));
  asio::async_read(server, asio::buffer(got), [&](auto ec, std::size_t r) { if (!ec) k = r; });
  ASSERT_TRUE(runUntil(io, [&] { return k == got.size(); }));
  EXPECT_EQ(got, r1 + r2);
  EXPECT_EQ(n.layer.openConnections(), 1u);
  EXPECT_EQ(n.layer.stats().connectionsOpened, 1u);
  // A message from the peer on that connection arrives with the same connection id.
  asio::write(server, asio::buffer(options("SIP/2.0/TCP 127.0.0.1:1", "z9hG4bKback", 5)));
  ASSERT_TRUE(runUntil(io, [&] { return n.sink.got.size() == 1; }));
  // Traffic half way through the idle time restarts the count.
  n.clock.advance(60000);
  ASSERT_EQ(n.layer.send(d, r1, 13), TransportErrc::Ok);
  ASSERT_TRUE(runUntil(io, [&] { return n.layer.stats().sent == 3; }));
  n.clock.advance(60000);
  EXPECT_EQ(n.layer.openConnections(), 1u);
  n.clock.advance(60000);
  EXPECT_EQ(n.layer.openConnections(), 0u);
  EXPECT_TRUE(n.sink.failed.empty());
}

TEST(TcpTransport, ConnectFailureReportedWithCookie) {
  asio::io_context io;
  Node n(io, listenOn({{TransportType::Udp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(n.layer.start());
  // A port nobody listens on: bind one and close it.
  std::uint16_t dead;
  {
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    dead = a.local_endpoint().port();
  }
  Destination d{TransportType::Tcp, *Endpoint::fromIp("127.0.0.1", dead), 0};
  ASSERT_EQ(n.layer.send(d, "OPTIONS x SIP/2.0\r\n\r\n", 42), TransportErrc::Ok);
  ASSERT_TRUE(runUntil(io, [&] { return !n.sink.failed.empty(); }));
  EXPECT_EQ(n.sink.failed[0].first, 42u);
  EXPECT_EQ(n.sink.failed[0].second, TransportErrc::ConnectFailed);
  EXPECT_EQ(n.layer.openConnections(), 0u);
  // No listener for a transport/family: immediate error.
  EXPECT_EQ(n.layer.send(Destination{TransportType::Udp, *Endpoint::fromIp("::1", 5060), 0}, "x", 0),
            TransportErrc::NoListener);
}

TEST(Transport, StartErrorsNameTheListener) {
  asio::io_context io;
  ManualTimerService clock;
  TransportLayer bad(io, clock, listenOn({{TransportType::Udp, "not-an-ip", 5060, ""}}));
  auto r = bad.start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "UDP not-an-ip:5060: not an IP address");
  TransportConfig c = listenOn({{TransportType::Tls, "127.0.0.1", 0, ""}});
  c.tls.certificateFile = "/nonexistent/cert.pem";
  TransportLayer tls(io, clock, c);
  auto t = tls.start();
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.error().starts_with("TLS 127.0.0.1:0: TLS: ")) << t.error();
}

// ------------------------------------------------------------------------------ TLS

class TlsTransport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("siptgw-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    for (const char* name : {"a", "b"}) {
      std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                        "-subj /CN=siptgw-test-" + std::string(name) + " -addext subjectAltName=DNS:sip-" + std::string(name) + ".example.test,IP:127.0.0.1 "
                        "-keyout " + (dir_ / (std::string(name) + ".key")).string() +
                        " -out " + (dir_ / (std::string(name) + ".pem")).string() + " >/dev/null 2>&1";
      ok_ = ok_ && std::system(cmd.c_str()) == 0;
    }
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static TlsConfig tls(const char* self, const char* trust, bool verify = true) {
    TlsConfig t;
    t.certificateFile = (dir_ / (std::string(self) + ".pem")).string();
    t.privateKeyFile = (dir_ / (std::string(self) + ".key")).string();
    t.caFile = (dir_ / (std::string(trust) + ".pem")).string();
    t.verifyPeer = verify;
    return t;
  }
  // A started node listening for TLS on 127.0.0.1 (ephemeral port).
  static std::unique_ptr<Node> tlsNode(asio::io_context& io, const char* self, const char* trust, bool verify) {
    TransportConfig c = listenOn({{TransportType::Tls, "127.0.0.1", 0, ""}});
    c.tls = tls(self, trust, verify);
    auto n = std::make_unique<Node>(io, c);
    return n->layer.start() ? std::move(n) : nullptr;
  }
  static inline std::filesystem::path dir_;
  static inline bool ok_ = true;
};

TEST_F(TlsTransport, MutualTlsRequestAndResponse) {
  ASSERT_TRUE(ok_) << "openssl CLI failed";
  asio::io_context io;
  TransportConfig sc = listenOn({{TransportType::Tls, "127.0.0.1", 0, ""}});
  sc.tls = tls("a", "a");
  Node server(io, sc);
  ASSERT_TRUE(server.layer.start());
  TransportConfig cc = listenOn({{TransportType::Tls, "127.0.0.1", 0, ""}});
  cc.tls = tls("a", "a");
  Node client(io, cc);
  ASSERT_TRUE(client.layer.start());
  server.sink.reply = [&](Message& m, const Source& s) {
    std::string rsp;
    MessageBuilder b(rsp);
    appendResponseFor(b, m, 200, "OK", "srv");
    b.finish();
    EXPECT_EQ(server.layer.send(*responseDestination(*m.topVia(), s), rsp, 0), TransportErrc::Ok);
  };
  Destination d{TransportType::Tls, *server.layer.localEndpoint(TransportType::Tls, false), 0};
  std::string req = options("SIP/2.0/TLS " + std::string(client.layer.sentBy(TransportType::Tls, false)), "z9hG4bKtls");
  ASSERT_EQ(client.layer.send(d, req, 5), TransportErrc::Ok);
  ASSERT_TRUE(runUntil(io, [&] { return client.sink.got.size() == 1; }, 5000));
  ASSERT_EQ(server.sink.got.size(), 1u);
  EXPECT_EQ(server.sink.got[0].src.transport, TransportType::Tls);
  auto rsp = parseMessage(client.sink.got[0].bytes);
  ASSERT_TRUE(rsp.ok());
  EXPECT_EQ(rsp->statusCode(), 200);
  EXPECT_EQ(rsp->to()->tag, "srv");
  EXPECT_EQ(server.layer.openConnections(), 1u);
  EXPECT_EQ(client.layer.openConnections(), 1u);
  EXPECT_TRUE(client.sink.failed.empty());
}

TEST_F(TlsTransport, UntrustedServerCertificateFailsTheSend) {
  ASSERT_TRUE(ok_);
  asio::io_context io;
  TransportConfig sc = listenOn({{TransportType::Tls, "127.0.0.1", 0, ""}});
  sc.tls = tls("b", "a", false);
  Node server(io, sc);
  ASSERT_TRUE(server.layer.start());
  TransportConfig cc;
  cc.tls = tls("a", "a");  // trusts only a; the server shows b
  Node client(io, cc);
  ASSERT_TRUE(client.layer.start());
  Destination d{TransportType::Tls, *server.layer.localEndpoint(TransportType::Tls, false), 0};
  ASSERT_EQ(client.layer.send(d, options("SIP/2.0/TLS 127.0.0.1:1", "z9hG4bKx"), 77), TransportErrc::Ok);
  ASSERT_TRUE(runUntil(io, [&] { return !client.sink.failed.empty(); }, 5000));
  EXPECT_EQ(client.sink.failed[0], std::make_pair(std::uint64_t{77}, TransportErrc::ConnectFailed));
  EXPECT_TRUE(server.sink.got.empty());
  // With verification off the same handshake succeeds.
  TransportConfig lax;
  lax.tls = tls("a", "a", false);
  Node client2(io, lax);
  ASSERT_TRUE(client2.layer.start());
  ASSERT_EQ(client2.layer.send(d, options("SIP/2.0/TLS 127.0.0.1:1", "z9hG4bKy"), 78), TransportErrc::Ok);
  ASSERT_TRUE(runUntil(io, [&] { return server.sink.got.size() == 1; }, 5000));
}

// RFC 5922 §7: a configured server name is checked against the certificate (and sent as SNI).
TEST_F(TlsTransport, ServerNameIsVerified) {
  ASSERT_TRUE(ok_);
  asio::io_context io;
  std::unique_ptr<Node> serverNode = tlsNode(io, "a", "a", false);
  ASSERT_TRUE(serverNode);
  Node& server = *serverNode;
  const Endpoint at = *server.layer.localEndpoint(TransportType::Tls, false);
  Destination d{TransportType::Tls, at, 0};
  auto clientFor = [&](std::string name, bool verify) {
    TransportConfig cc;
    cc.tls = tls("a", "a", verify);
    cc.tls.serverNames = {{at, std::move(name)}};
    return std::make_unique<Node>(io, cc);
  };
  auto good = clientFor("SIP-A.example.test", true);  // host names compare case-insensitively
  ASSERT_TRUE(good->layer.start());
  ASSERT_EQ(good->layer.send(d, options("SIP/2.0/TLS 127.0.0.1:1", "z9hG4bKsn1"), 1), TransportErrc::Ok);
  ASSERT_TRUE(runUntil(io, [&] { return server.sink.got.size() == 1; }, 5000));
  EXPECT_TRUE(good->sink.failed.empty());

  auto wrong = clientFor("sip-b.example.test", true);  // chain trusted, name not in the certificate
  ASSERT_TRUE(wrong->layer.start());
  ASSERT_EQ(wrong->layer.send(d, options("SIP/2.0/TLS 127.0.0.1:1", "z9hG4bKsn2"), 2), TransportErrc::Ok);
  ASSERT_TRUE(runUntil(io, [&] { return !wrong->sink.failed.empty(); }, 5000));
  EXPECT_EQ(wrong->sink.failed[0], std::make_pair(std::uint64_t{2}, TransportErrc::ConnectFailed));

  auto lax = clientFor("sip-b.example.test", false);  // no verification: the name is only SNI
  ASSERT_TRUE(lax->layer.start());
  ASSERT_EQ(lax->layer.send(d, options("SIP/2.0/TLS 127.0.0.1:1", "z9hG4bKsn3"), 3), TransportErrc::Ok);
  ASSERT_TRUE(runUntil(io, [&] { return server.sink.got.size() == 2; }, 5000));
  EXPECT_EQ(server.sink.got.size(), 2u);
}

// ---------------------------------------------- transaction layer over the transport

class EchoUas final : public TransactionUser {
 public:
  TransactionLayer* layer = nullptr;
  void onRequest(Transaction& t, const Message& r) override {
    std::string rsp;
    MessageBuilder b(rsp);
    appendResponseFor(b, r, 200, "OK", "uas");
    b.finish();
    (void)layer->respond(t.id(), rsp);
  }
  void onAck(const Message&, const Source&) override {}
  void onResponse(Transaction&, const Message& r) override { codes.push_back(r.statusCode()); }
  void onFailure(Transaction&, TxnFailure) override { ++failures; }
  std::vector<std::uint16_t> codes;
  std::vector<std::string> requests;
  int failures = 0;
};

TEST(TransportWithTransactions, LargeRequestGoesOverTcpAndIsAnswered) {
  asio::io_context io;
  // The UAS listens on UDP and TCP on the same port, as §18.1.1 assumes.
  std::uint16_t port;
  {
    udp::socket probe(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  ManualTimerService clock;
  TransportLayer uasNet(io, clock, listenOn({{TransportType::Udp, "127.0.0.1", port, ""},
                                             {TransportType::Tcp, "127.0.0.1", port, ""}}));
  ASSERT_TRUE(uasNet.start());
  EchoUas uasTu;
  TransactionLayer uas(clock, uasNet, uasTu);
  uasTu.layer = &uas;
  uasNet.setListener(&uas);

  TransportLayer uacNet(io, clock, listenOn({{TransportType::Udp, "127.0.0.1", 0, ""},
                                             {TransportType::Tcp, "127.0.0.1", 0, ""}}));
  ASSERT_TRUE(uacNet.start());
  EchoUas uacTu;
  TransactionLayer uac(clock, uacNet, uacTu);
  uacTu.layer = &uac;
  uacNet.setListener(&uac);

  Destination d{TransportType::Udp, *Endpoint::fromIp("127.0.0.1", port), 0};
  auto send = [&](std::string_view body) {
    std::string branch = uac.newBranch();
    std::string req;
    MessageBuilder b(req);
    b.request("MESSAGE", "sip:uas@127.0.0.1:" + std::to_string(port));
    b.header(HeaderId::Via, uac.viaFor(d, branch));
    b.header(HeaderId::MaxForwards, std::uint32_t{70});
    b.header(HeaderId::From, "<sip:uac@127.0.0.1>;tag=f1");
    b.header(HeaderId::To, "<sip:uas@127.0.0.1>");
    b.header(HeaderId::CallId, branch);
    b.header(HeaderId::CSeq, "1 MESSAGE");
    b.finish(body, "text/plain");
    return uac.sendRequest(std::move(req), d);
  };
  auto small = send("hi");
  ASSERT_TRUE(small.ok());
  EXPECT_FALSE(uac.find(*small)->reliable());
  auto big = send(std::string(2000, 'z'));
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(uac.find(*big)->reliable());
  ASSERT_TRUE(runUntil(io, [&] { return uacTu.codes.size() == 2; }));
  EXPECT_EQ(uacTu.codes, (std::vector<std::uint16_t>{200, 200}));
  EXPECT_EQ(uasNet.stats().connectionsAccepted, 1u);
  EXPECT_EQ(uacNet.stats().connectionsOpened, 1u);
  EXPECT_EQ(uacTu.failures, 0);
}

}  // namespace
}  // namespace siptgw::sip
