// The gateway's call charts end to end inside one process: the SIP side through a fake
// transport (we play the SIP peer), the ISUP side through the in-process link to the exchange
// simulator (it plays the far-end switch), time from the manual clock. Each test checks both
// sides (SIP status codes and Reason headers; ISUP message types and causes) and that no
// chart saw an event it did not expect.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gateway/call.h"
#include "gateway/gateway.h"
#include "gateway/gateway_config.h"
#include "gateway/metrics.h"
#include "isup/codec.h"
#include "isup/exchange_sim.h"
#include "isup/inprocess_link.h"
#include "sip/transport.h"
#include "tests/gateway/call_config.h"
#include "tests/sip/transaction_test_util.h"

namespace siptgw::gateway {
namespace {

using sip::testing::FakeTransport;
using sip::testing::Sent;

constexpr std::string_view kConfig = kCallTestConfig;

constexpr std::string_view kOffer =
    "v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

sip::Source peerSource() {
  sip::Source s;
  s.transport = sip::TransportType::Udp;
  s.remote = *sip::Endpoint::fromIp("192.0.2.10", 5060);
  s.connection = 7;
  return s;
}

// One header line's value from raw message text ("" when absent).
std::string header(const std::string& msg, std::string_view name) {
  const std::string key = "\r\n" + std::string(name) + ": ";
  const std::size_t at = msg.find(key);
  if (at == std::string::npos) return {};
  const std::size_t b = at + key.size();
  return msg.substr(b, msg.find("\r\n", b) - b);
}

struct Harness {
  explicit Harness(std::string_view yaml = kConfig) {
    auto c = parseGatewayConfig(yaml, "test.yaml");
    if (!c) ADD_FAILURE() << c.error().describe();
    cfg = std::move(*c);
    link = std::make_unique<isup::InProcessLink>(clock, cfg.isup.stack.opc, cfg.isup.simulator.pointCode);
    link->setTap([this](isup::InProcessLink::Side from, const isup::MtpTransfer& m) {
      auto msg = isup::decode(m.payload(), isup::Variant::Itu);
      ASSERT_TRUE(msg.ok());
      (from == isup::InProcessLink::Side::A ? fromGw : toGw).push_back(*msg);
    });
    sim = std::make_unique<isup::ExchangeSimulator>(clock, link->b(), simulatorStackConfig(cfg), simulatorGroups(cfg));
    for (const auto& r : cfg.isup.simulator.rules) sim->addRule(r);
    gw = std::make_unique<Gateway>(clock, net, link->a(), cfg, nullptr);
    EXPECT_TRUE(gw->start().ok());
    sim->start();
    clock.advance(100);  // GRS/GRA both ways
    fromGw.clear();
    toGw.clear();
  }
  ~Harness() { EXPECT_EQ(gw->counters().unexpectedEvents, 0u); }

  void receive(const std::string& bytes) {
    sip::Message m;
    ASSERT_TRUE(m.parse(bytes)) << bytes;
    gw->ua().transactions().onMessage(m, peerSource());
  }
  // INVITE from the SIP peer to `number` (E.164 digits without '+').
  std::string invite(std::string_view number, std::string_view branch = "z9hG4bK-inv1") {
    std::string s = "INVITE sip:+" + std::string(number) + "@10.0.0.1;user=phone SIP/2.0\r\n";
    s += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=" + std::string(branch) + "\r\n";
    s += "Max-Forwards: 70\r\nFrom: <sip:+4940111@192.0.2.10;user=phone>;tag=alice1\r\n";
    s += "To: <sip:+" + std::string(number) + "@10.0.0.1;user=phone>\r\nCall-ID: call-1@192.0.2.10\r\n";
    s += "CSeq: 1 INVITE\r\nContact: <sip:alice@192.0.2.10:5060>\r\nContent-Type: application/sdp\r\n";
    s += "Content-Length: " + std::to_string(kOffer.size()) + "\r\n\r\n" + std::string(kOffer);
    return s;
  }
  // An in-dialog request from the peer for the call set up by invite() (toTag: ours).
  std::string inDialog(std::string_view method, uint32_t cseq, std::string_view toTag, std::string_view branch,
                       std::string_view number, std::string_view extra = {}) {
    std::string s = std::string(method) + " sip:siptgw@10.0.0.1:5060 SIP/2.0\r\n";
    s += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=" + std::string(branch) + "\r\n";
    s += "Max-Forwards: 70\r\nFrom: <sip:+4940111@192.0.2.10;user=phone>;tag=alice1\r\n";
    s += "To: <sip:+" + std::string(number) + "@10.0.0.1;user=phone>";
    if (!toTag.empty()) s += ";tag=" + std::string(toTag);
    s += "\r\nCall-ID: call-1@192.0.2.10\r\nCSeq: " + std::to_string(cseq) + " " + std::string(method) + "\r\n";
    s += std::string(extra) + "Content-Length: 0\r\n\r\n";
    return s;
  }
  // INVITE, the far end answers within `ms`, ACK: an answered SIP→ISUP call. Returns our
  // To tag ("" when no single 200 came).
  std::string connect(std::string_view number, uint32_t ms) {
    receive(invite(number));
    clock.advance(ms);
    if (sip(200).size() != 1) return {};
    std::string tag = toTagOf(sip(200)[0]);
    receive(inDialog("ACK", 1, tag, "z9hG4bK-ack1", number));
    return tag;
  }
  // The exchange simulator calls `number` from ISUP; 10 ms later the gateway has sent its
  // INVITE, returned here ("" and a test failure unless exactly one went out).
  std::string callFromIsup(std::string_view number = "5551000") {
    isup::OriginatingPlan plan;
    plan.numbers = {std::string(number)};
    sim->originate(plan);
    clock.advance(10);
    const auto invites = sipRequests("INVITE");
    if (invites.size() != 1) {
      ADD_FAILURE() << invites.size() << " INVITEs sent, 1 expected";
      return {};
    }
    return invites[0]->bytes;
  }
  // A response from the peer to a request the gateway sent.
  std::string responseTo(const std::string& req, int code, std::string_view toTag, std::string_view body = {}) {
    std::string s = "SIP/2.0 " + std::to_string(code) + " X\r\n";
    s += "Via: " + header(req, "Via") + "\r\nFrom: " + header(req, "From") + "\r\nTo: " + header(req, "To");
    if (!toTag.empty()) s += ";tag=" + std::string(toTag);
    s += "\r\nCall-ID: " + header(req, "Call-ID") + "\r\nCSeq: " + header(req, "CSeq") + "\r\n";
    s += "Contact: <sip:bob@192.0.2.10:5060>\r\n";
    if (!body.empty()) s += "Content-Type: application/sdp\r\n";
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
    return s;
  }

  std::vector<const Sent*> sip(uint16_t status) const {
    std::vector<const Sent*> v;
    for (const Sent& s : net.sent)
      if (s.status() == status) v.push_back(&s);
    return v;
  }
  std::vector<const Sent*> sipRequests(std::string_view method) const {
    std::vector<const Sent*> v;
    for (const Sent& s : net.sent)
      if (s.status() == 0 && s.method() == method) v.push_back(&s);
    return v;
  }
  std::vector<isup::MessageType> types(const std::vector<isup::Message>& v) const {
    std::vector<isup::MessageType> t;
    for (const auto& m : v) t.push_back(m.type);
    return t;
  }
  static uint8_t causeOf(const isup::Message& rel) {
    const auto* ci = rel.get<isup::CauseIndicators>(isup::ParamCode::CauseIndicators);
    return ci ? ci->cause : 0;
  }
  std::string toTagOf(const Sent* rsp) const {
    const std::string to = header(rsp->bytes, "To");
    const std::size_t at = to.find(";tag=");
    return at == std::string::npos ? std::string{} : to.substr(at + 5);
  }

  ManualTimerService clock;
  FakeTransport net{clock};
  GatewayConfig cfg;
  std::unique_ptr<isup::InProcessLink> link;
  std::unique_ptr<isup::ExchangeSimulator> sim;
  std::unique_ptr<Gateway> gw;
  std::vector<isup::Message> fromGw, toGw;
};

using T = isup::MessageType;

// RFC 3398 §7.1.1: INVITE → IAM, ACM → 180, ANM → 200, ACK; BYE → REL 16 → RLC.
TEST(GatewayCall, SipToIsupAnsweredAndReleasedFromSip) {
  Harness h;
  h.receive(h.invite("4930100555"));
  ASSERT_EQ(h.fromGw.size(), 1u);
  const isup::Message& iam = h.fromGw[0];
  EXPECT_EQ(iam.type, T::IAM);
  const auto* cdpn = iam.get<isup::Number>(isup::ParamCode::CalledPartyNumber);
  ASSERT_NE(cdpn, nullptr);
  EXPECT_EQ(cdpn->digits.view(), "4930100555");
  EXPECT_EQ(cdpn->nature_of_address, 4);  // international (Q.763 §3.9)
  EXPECT_EQ(h.gw->activeCalls(), 1u);

  h.clock.advance(150);  // ACM after 100 ms
  ASSERT_EQ(h.sip(180).size(), 1u);
  h.clock.advance(1000);  // ANM
  ASSERT_EQ(h.sip(200).size(), 1u);
  const Sent* ok = h.sip(200)[0];
  EXPECT_NE(ok->bytes.find("m=audio 30000 RTP/AVP 0"), std::string::npos) << ok->bytes;  // CIC 1, PCMU
  EXPECT_NE(ok->bytes.find("c=IN IP4 10.0.0.5"), std::string::npos);
  const std::string tag = h.toTagOf(ok);
  h.receive(h.inDialog("ACK", 1, tag, "z9hG4bK-ack1", "4930100555"));
  EXPECT_EQ(h.gw->stateOfIsupCall(1), "Connected");  // the first ISUP call id
  h.receive(h.inDialog("BYE", 2, tag, "z9hG4bK-bye1", "4930100555"));
  ASSERT_EQ(h.sip(200).size(), 2u);  // 200 to BYE
  h.clock.advance(10);
  EXPECT_EQ(h.types(h.fromGw), (std::vector<T>{T::IAM, T::REL}));
  EXPECT_EQ(Harness::causeOf(h.fromGw[1]), 16);
  EXPECT_EQ(h.types(h.toGw), (std::vector<T>{T::ACM, T::ANM, T::RLC}));
  h.clock.advance(10);
  EXPECT_EQ(h.gw->activeCalls(), 0u);
  EXPECT_EQ(h.gw->counters().answered[0], 1u);
  EXPECT_EQ(h.gw->counters().failed[0], 0u);
}

// §7.2.4.1: REL before any backward message → the final response of the cause table, with
// Reason: Q.850;cause=N (RFC 3326); the call counts as failed.
TEST(GatewayCall, SipToIsupRejectedByCause) {
  struct Case {
    std::string_view number;
    uint16_t status;
    std::string_view reason;
  };
  for (const Case& k : {Case{"4930103555", 486, "Q.850;cause=17;"},    // user busy
                        Case{"4930104555", 404, "Q.850;cause=1;"}}) {  // unallocated number
    Harness h;
    h.receive(h.invite(k.number));
    h.clock.advance(50);
    ASSERT_EQ(h.sip(k.status).size(), 1u) << k.number;
    const Sent* rsp = h.sip(k.status)[0];
    EXPECT_NE(header(rsp->bytes, "Reason").find(k.reason), std::string::npos) << rsp->bytes;
    EXPECT_EQ(h.types(h.fromGw), (std::vector<T>{T::IAM, T::RLC})) << k.number;
    h.clock.advance(10);
    EXPECT_EQ(h.gw->activeCalls(), 0u);
    EXPECT_EQ(h.gw->counters().failed[0], 1u);
  }
}

// §7.2.3: CANCEL → 200 + 487 on the INVITE, REL 16 towards ISUP.
TEST(GatewayCall, SipToIsupCancelledBeforeAnswer) {
  Harness h;
  h.receive(h.invite("4930102555"));
  h.clock.advance(150);
  ASSERT_EQ(h.sip(180).size(), 1u);
  std::string cancel = h.inDialog("CANCEL", 1, "", "z9hG4bK-inv1", "4930102555");
  h.receive(cancel);
  EXPECT_EQ(h.sip(487).size(), 1u);
  h.clock.advance(10);
  EXPECT_EQ(h.types(h.fromGw), (std::vector<T>{T::IAM, T::REL}));
  EXPECT_EQ(Harness::causeOf(h.fromGw[1]), 16);
  h.clock.advance(10);
  EXPECT_EQ(h.gw->activeCalls(), 0u);
}

// §7.2.3 / RFC 3326: a Q.850 Reason on the CANCEL wins over the default cause 16.
TEST(GatewayCall, SipToIsupCancelReasonGivesTheCause) {
  Harness h;
  h.receive(h.invite("4930102555"));
  h.clock.advance(150);
  ASSERT_EQ(h.sip(180).size(), 1u);
  h.receive(h.inDialog("CANCEL", 1, "", "z9hG4bK-inv1", "4930102555",
                       "Reason: q.850 ;cause=31;text=\"Normal, unspecified\"\r\n"));
  EXPECT_EQ(h.sip(487).size(), 1u);
  h.clock.advance(10);
  ASSERT_EQ(h.types(h.fromGw), (std::vector<T>{T::IAM, T::REL}));
  EXPECT_EQ(Harness::causeOf(h.fromGw[1]), 31);
}

// §7.2.4 / §10.2: REL after answer → BYE with the Reason.
TEST(GatewayCall, SipToIsupReleasedFromIsupAfterAnswer) {
  Harness h;
  ASSERT_FALSE(h.connect("4930101555", 1150).empty());
  h.clock.advance(2000);  // the far end hangs up
  ASSERT_EQ(h.sipRequests("BYE").size(), 1u);
  EXPECT_NE(header(h.sipRequests("BYE")[0]->bytes, "Reason").find("Q.850;cause=16"), std::string::npos);
  EXPECT_EQ(h.types(h.fromGw), (std::vector<T>{T::IAM, T::RLC}));
}

// An ACM announcing in-band information → 183 with the SDP answer (early media, RFC 3960).
TEST(GatewayCall, SipToIsupEarlyMedia) {
  Harness h;
  h.receive(h.invite("4930105555"));
  h.clock.advance(150);
  ASSERT_EQ(h.sip(183).size(), 1u);
  EXPECT_NE(h.sip(183)[0]->bytes.find("m=audio 30000 RTP/AVP 0"), std::string::npos);
}

// No route for the number: 404 with Reason cause 3; no IAM.
TEST(GatewayCall, SipToIsupNoRoute) {
  Harness h;
  h.receive(h.invite("3312345"));
  ASSERT_EQ(h.sip(404).size(), 1u);
  EXPECT_NE(header(h.sip(404)[0]->bytes, "Reason").find("cause=3"), std::string::npos);
  EXPECT_TRUE(h.fromGw.empty());
  EXPECT_EQ(h.gw->counters().noRoute, 1u);
}

// RFC 3398 §8.1.1: IAM → INVITE; 180 → ACM; 200 → ANM; REL → BYE.
TEST(GatewayCall, IsupToSipAnswered) {
  Harness h;
  isup::OriginatingPlan plan;
  plan.numbers = {"5551000"};
  plan.calling = "2000123";
  plan.calls = 1;
  plan.hold_ms = 3000;
  h.sim->originate(plan);
  h.clock.advance(10);
  auto invites = h.sipRequests("INVITE");
  ASSERT_EQ(invites.size(), 1u);
  const std::string inv = invites[0]->bytes;
  EXPECT_NE(inv.find("m=audio "), std::string::npos);
  h.receive(h.responseTo(inv, 180, "bob1"));
  h.clock.advance(10);
  h.receive(h.responseTo(inv, 200, "bob1", kOffer));
  h.clock.advance(10);
  EXPECT_EQ(h.sipRequests("ACK").size(), 1u);
  EXPECT_EQ(h.types(h.fromGw), (std::vector<T>{T::ACM, T::ANM}));
  h.clock.advance(3000);  // the caller hangs up: REL → BYE
  ASSERT_EQ(h.sipRequests("BYE").size(), 1u);
  EXPECT_EQ(h.gw->counters().answered[1], 1u);
}

// RFC 4028 §7.2: the SIP side answers without Session-Expires (no session timer support)
// and then vanishes, sending no BYE; the far exchange's caller never hangs up. We refresh
// alone at half our 1800 s; the unanswered refresh (Timer B, 32 s) ends the call with BYE
// and releases the circuit instead of holding it for ever.
TEST(GatewayCall, IsupToSipPeerWithoutSessionTimerThatVanishesIsReleased) {
  Harness h;
  isup::OriginatingPlan plan;
  plan.numbers = {"5551000"};
  plan.hold_ms = -1;
  h.sim->originate(plan);
  h.clock.advance(10);
  const auto invites = h.sipRequests("INVITE");
  ASSERT_EQ(invites.size(), 1u);
  h.receive(h.responseTo(invites[0]->bytes, 200, "bob1", kOffer));
  h.clock.advance(10);
  ASSERT_EQ(h.sipRequests("ACK").size(), 1u);
  h.clock.advance(900000);
  EXPECT_EQ(h.sipRequests("INVITE").size(), 2u);  // the refresh (re-INVITE: no UPDATE allowed)
  EXPECT_EQ(h.gw->activeCalls(), 1u);
  h.clock.advance(32000);
  ASSERT_FALSE(h.sipRequests("BYE").empty());
  ASSERT_FALSE(h.fromGw.empty());
  EXPECT_EQ(h.fromGw.back().type, T::REL);
  h.clock.advance(10);
  EXPECT_EQ(h.gw->activeCalls(), 0u);
}

// §8.2.6.1: 486 → REL cause 17.
TEST(GatewayCall, IsupToSipBusy) {
  Harness h;
  const std::string inv = h.callFromIsup();
  ASSERT_FALSE(inv.empty());
  h.receive(h.responseTo(inv, 486, "bob1"));
  h.clock.advance(10);
  ASSERT_EQ(h.types(h.fromGw), (std::vector<T>{T::REL}));
  EXPECT_EQ(Harness::causeOf(h.fromGw[0]), 17);
  EXPECT_EQ(h.sipRequests("ACK").size(), 1u);  // ACK for the 486 (§17.1.1.3)
}

// §8.2.8: no 18x within T11 → ACM "no indication" towards ISUP.
TEST(GatewayCall, IsupToSipT11EarlyAcm) {
  Harness h;
  const std::string inv = h.callFromIsup();
  ASSERT_FALSE(inv.empty());
  h.receive(h.responseTo(inv, 100, ""));
  h.clock.advance(14000);
  EXPECT_TRUE(h.fromGw.empty());
  h.clock.advance(1000);
  ASSERT_EQ(h.types(h.fromGw), (std::vector<T>{T::ACM}));
  const auto* bci = h.fromGw[0].get<isup::BackwardCallIndicators>(isup::ParamCode::BackwardCallIndicators);
  ASSERT_NE(bci, nullptr);
  EXPECT_EQ(bci->called_partys_status, 0);  // no indication
}


// ---- races (issue #5)

// CANCEL crossing ANM: the CANCEL wins at the gateway (487, REL 16); the ANM that was already
// on its way is absorbed by the ISUP stack; nothing unexpected reaches the chart.
TEST(GatewayRace, CancelCrossingAnswer) {
  Harness h;
  h.link->setLatency(5);
  h.receive(h.invite("4930100555"));
  // IAM at the simulator at +5, its ANM leaves at +1005 and reaches us at +1010.
  h.clock.advance(1007);  // ACM arrived; the simulator's ANM is on the link
  ASSERT_EQ(h.sip(180).size(), 1u);
  ASSERT_TRUE(h.sip(200).empty());
  h.receive(h.inDialog("CANCEL", 1, "", "z9hG4bK-inv1", "4930100555"));
  EXPECT_EQ(h.sip(487).size(), 1u);
  h.clock.advance(50);
  EXPECT_TRUE(h.sip(200).size() == 1u);  // the 200 for the CANCEL only
  EXPECT_EQ(h.types(h.fromGw), (std::vector<T>{T::IAM, T::REL}));
  h.clock.advance(50);
  EXPECT_EQ(h.gw->activeCalls(), 0u);
}

// BYE crossing REL after answer: each side's release ends the call once; no BYE from us.
TEST(GatewayRace, ByeCrossingRel) {
  Harness h;
  h.link->setLatency(5);
  h.receive(h.invite("4930101555"));
  h.clock.advance(1011);  // ANM left the simulator at +1005
  ASSERT_EQ(h.sip(200).size(), 1u);
  const std::string tag = h.toTagOf(h.sip(200)[0]);
  h.receive(h.inDialog("ACK", 1, tag, "z9hG4bK-ack1", "4930101555"));
  h.clock.advance(1996);  // +3007: the simulator's REL (hold 2 s from +1005) is on the link
  h.receive(h.inDialog("BYE", 2, tag, "z9hG4bK-bye1", "4930101555"));
  h.clock.advance(100);
  EXPECT_TRUE(h.sipRequests("BYE").empty());
  EXPECT_EQ(h.gw->activeCalls(), 0u);
  EXPECT_EQ(h.gw->isup().activeCalls(), 0u);
}

// A retransmitted INVITE (same branch) is absorbed: one IAM, the 100 resent (§17.2.1).
TEST(GatewayRace, InviteRetransmission) {
  Harness h;
  const std::string inv = h.invite("4930102555");
  h.receive(inv);
  h.receive(inv);
  EXPECT_EQ(h.fromGw.size(), 1u);
  EXPECT_EQ(h.sip(100).size(), 2u);
  EXPECT_EQ(h.gw->activeCalls(), 1u);
}

// The 200 is retransmitted (T1 doubling) until the ACK (§13.3.1.4).
TEST(GatewayRace, OkRetransmittedUntilAck) {
  Harness h;
  h.receive(h.invite("4930100555"));
  h.clock.advance(1100);
  ASSERT_EQ(h.sip(200).size(), 1u);
  h.clock.advance(500 + 1000 + 1);
  EXPECT_EQ(h.sip(200).size(), 3u);
  h.receive(h.inDialog("ACK", 1, h.toTagOf(h.sip(200)[0]), "z9hG4bK-ack1", "4930100555"));
  h.clock.advance(10000);
  EXPECT_EQ(h.sip(200).size(), 3u);
}

// §7.2.2: T7 expiry → REL 102 and 504 (the SIP side's Timer B would fire only at 64·T1 of a
// request we never sent: the gateway is the UAS here and answers first).
TEST(GatewayRace, T7Expiry) {
  Harness h;
  h.receive(h.invite("4930106555"));  // the far end never answers the IAM
  ASSERT_EQ(h.fromGw.size(), 1u);
  h.clock.advance(20000 + 10);
  ASSERT_EQ(h.sip(504).size(), 1u);
  EXPECT_NE(header(h.sip(504)[0]->bytes, "Reason").find("cause=102"), std::string::npos);
  ASSERT_GE(h.fromGw.size(), 2u);
  EXPECT_EQ(h.fromGw[1].type, T::REL);
  EXPECT_EQ(Harness::causeOf(h.fromGw[1]), 102);
}

// §7.2.8: T9 expiry (alerting, never answered) → REL 19 and 480.
TEST(GatewayRace, T9Expiry) {
  Harness h;
  h.receive(h.invite("4930102555"));
  h.clock.advance(150);
  ASSERT_EQ(h.sip(180).size(), 1u);
  h.clock.advance(90000);
  ASSERT_EQ(h.sip(480).size(), 1u);
  EXPECT_EQ(Harness::causeOf(h.fromGw.at(1)), 19);
}

// Dual seizure (Q.764 §2.9.1.4) on a CIC the far end controls: the gateway backs off and the
// ISUP stack repeats the attempt on another circuit; the SDP follows the new circuit.
TEST(GatewayRace, DualSeizureReattempt) {
  std::string yaml(kConfig);
  yaml.replace(yaml.find("cics: [{first: 1, last: 4}]"), 27, "cics: [{first: 2, last: 5}]");
  Harness h(yaml);
  h.link->setLatency(5);
  isup::OriginatingPlan plan;
  plan.numbers = {"5551000"};
  h.sim->originate(plan);  // the simulator seizes CIC 2 (it controls even CICs: higher PC)
  h.receive(h.invite("4930100555"));  // and so do we
  h.clock.advance(1500);
  ASSERT_GE(h.fromGw.size(), 2u);
  EXPECT_EQ(h.fromGw[0].type, T::IAM);
  EXPECT_EQ(h.fromGw[0].cic, 2);
  bool reattempted = false;
  for (const auto& m : h.fromGw)
    if (m.type == T::IAM && m.cic != 2) reattempted = true;
  EXPECT_TRUE(reattempted);
  ASSERT_EQ(h.sip(200).size(), 1u);
  EXPECT_EQ(h.sip(200)[0]->bytes.find("m=audio 30000 "), std::string::npos);  // not CIC 2's port
}

// The metrics sampler's view of the stack (SipStackSample): each figure from its counter.
TEST(GatewayCall, SipStackSampleReadsTheStacksCounters) {
  Harness h;
  h.receive(h.invite("4930100555"));
  h.receive(h.invite("4930100555"));  // the same INVITE again: absorbed by its transaction
  h.clock.advance(1150);              // answered after 1 s: 200 OK
  ASSERT_EQ(h.sip(200).size(), 1u);
  h.clock.advance(600);  // no ACK: the 2xx again at T1 (§13.3.1.4)
  ASSERT_EQ(h.sip(200).size(), 2u);
  ASSERT_FALSE(h.callFromIsup().empty());
  h.clock.advance(500);  // no answer: the INVITE again by Timer A
  ASSERT_EQ(h.sipRequests("INVITE").size(), 2u);

  sip::TransportStats t;
  t.malformedDropped = 3;
  t.malformedAnswered = 4;
  t.foreignViaDropped = 5;
  t.sendErrors = 6;
  t.connectionsAccepted = 7;
  t.connectionsOpened = 8;
  t.connectionsClosed = 19;
  t.idleClosed = 9;
  t.udpReadCalls = 11;
  t.udpWriteCalls = 12;
  t.udpPolls = 13;
  const sip::UserAgent& ua = h.gw->ua();
  const SipStackSample s = sipStackSample(t, 14, ua);
  EXPECT_EQ(s.malformedDropped, 3u + ua.transactions().stats().badMessages);
  EXPECT_EQ(s.malformedRejected, 4u);
  EXPECT_EQ(s.foreignViaDropped, 5u);
  EXPECT_EQ(s.sendErrors, 6u);
  EXPECT_EQ(s.connectionsAccepted, 7u);
  EXPECT_EQ(s.connectionsOpened, 8u);
  EXPECT_EQ(s.idleConnectionsClosed, 9u);
  EXPECT_EQ(s.otherConnectionsClosed, 10u);
  EXPECT_EQ(s.udpReadCalls, 11u);
  EXPECT_EQ(s.udpWriteCalls, 12u);
  EXPECT_EQ(s.udpIntervalReads, 13u);
  EXPECT_EQ(s.openConnections, 14u);
  EXPECT_EQ(s.retransmissionsReceived, 1u);
  EXPECT_EQ(s.ok2xxRetransmits, 1u);
  EXPECT_EQ(s.requestRetransmits, 1u);
  EXPECT_EQ(s.finalResponseRetransmits, 0u);
  EXPECT_EQ(s.reliable1xxRetransmits, 0u);
  EXPECT_EQ(s.acksResent, 0u);
  EXPECT_EQ(s.sessionFailures, 0u);
  EXPECT_EQ(s.sessions, 2u);
  EXPECT_EQ(s.transactions, ua.transactions().size());
  EXPECT_GE(s.transactions, 2u);
}

// A reset of the circuit (RSC, Q.764 §2.9.3.1) ends the answered call: BYE towards SIP.
TEST(GatewayRace, CircuitResetDuringCall) {
  Harness h;
  ASSERT_FALSE(h.connect("4930100555", 1150).empty());
  ASSERT_TRUE(h.sim->reset(h.cfg.isup.stack.opc, 1));
  h.clock.advance(10);
  ASSERT_EQ(h.sipRequests("BYE").size(), 1u);
  EXPECT_EQ(h.gw->activeCalls(), 0u);
}

// Hardware-oriented group blocking releases the calls on the circuits (§2.8.2): before
// answer the INVITE gets a final response.
TEST(GatewayRace, CircuitBlockedBeforeAnswer) {
  Harness h;
  h.receive(h.invite("4930102555"));
  h.clock.advance(150);
  ASSERT_EQ(h.sip(180).size(), 1u);
  ASSERT_TRUE(h.sim->groupBlock(h.cfg.isup.stack.opc, 1, 4, true));
  h.clock.advance(10);
  std::size_t finals = 0;
  for (const Sent& s : h.net.sent)
    if (s.status() >= 300) ++finals;
  EXPECT_EQ(finals, 1u);
  EXPECT_EQ(h.gw->activeCalls(), 0u);
}

// ISUP T9 against SIP Timer B: the SIP peer never answers our INVITE at all (not even 100):
// Timer B (64·T1 = 32 s, RFC 3261 §17.1.1.2) fires first, 408 → REL with cause 102
// (RFC 3398 §8.2.6.1: 408 → 102), long before the originating exchange's T9 (90 s).
TEST(GatewayRace, TimerBBeforeT9) {
  Harness h;
  ASSERT_FALSE(h.callFromIsup().empty());
  h.clock.advance(15000);  // T11: early ACM meanwhile
  ASSERT_EQ(h.types(h.fromGw), (std::vector<T>{T::ACM}));
  h.clock.advance(32000 - 15000);
  ASSERT_EQ(h.types(h.fromGw), (std::vector<T>{T::ACM, T::REL}));
  EXPECT_EQ(Harness::causeOf(h.fromGw[1]), 102);
  EXPECT_GE(h.sipRequests("INVITE").size(), 6u);  // Timer A retransmissions
  h.clock.advance(100);
  EXPECT_EQ(h.gw->activeCalls(), 0u);
}

// The SIP peer takes the gateway's CANCEL (200) but never ends the INVITE with 487: the call
// and its circuit are released at once, and 64·T1 after the CANCEL the INVITE is given up
// (RFC 3261 §9.1), where before its SIP session and transaction stayed for good.
TEST(GatewayRace, CancelWithoutFinalResponseDoesNotHoldTheCall) {
  std::string yaml(kConfig);
  yaml.replace(yaml.find("sip_no_answer_ms: 0"), 19, "sip_no_answer_ms: 5000");
  Harness h(yaml);
  const std::string inv = h.callFromIsup();
  ASSERT_FALSE(inv.empty());
  h.receive(h.responseTo(inv, 180, "bob1"));
  h.clock.advance(5000);
  ASSERT_EQ(h.sipRequests("CANCEL").size(), 1u);
  h.receive(h.responseTo(h.sipRequests("CANCEL")[0]->bytes, 200, ""));
  ASSERT_EQ(h.types(h.fromGw), (std::vector<T>{T::ACM, T::REL}));
  EXPECT_EQ(Harness::causeOf(h.fromGw[1]), 19);
  EXPECT_EQ(h.gw->activeCalls(), 0u);
  const uint64_t cancelAt = h.sipRequests("CANCEL")[0]->atMs;
  h.clock.advance(cancelAt + 32000 - 1 - h.clock.nowMs());
  EXPECT_EQ(h.gw->ua().sessionCount(), 1u);
  h.clock.advance(1);
  EXPECT_EQ(h.gw->ua().sessionCount(), 0u);
  EXPECT_EQ(h.gw->ua().transactions().size(), 0u);
}

// RFC 3398 §12.1: with the home country code configured, national numbers from ISUP become
// global numbers in the Request-URI, To and From/P-Asserted-Identity.
TEST(GatewayCall, IsupToSipNationalNumbersBecomeGlobal) {
  std::string yaml(kConfig);
  yaml += "profiles:\n  rfc3398: {country_code: \"49\"}\n";
  Harness h(yaml);
  isup::OriginatingPlan plan;
  plan.numbers = {"5551000"};
  plan.calling = "2000123";
  h.sim->originate(plan);
  h.clock.advance(10);
  ASSERT_EQ(h.sipRequests("INVITE").size(), 1u);
  const std::string inv = h.sipRequests("INVITE")[0]->bytes;
  EXPECT_EQ(inv.rfind("INVITE sip:+495551000@10.0.0.1;user=phone SIP/2.0\r\n", 0), 0u) << inv;
  EXPECT_NE(header(inv, "From").find("+492000123"), std::string::npos) << inv;
}

}  // namespace
}  // namespace siptgw::gateway
