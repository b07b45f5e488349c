// RFC 6086 Info Packages on INVITE sessions (sip/user_agent.h): Recv-Info on the INVITE,
// reliable 18x and 2xx (§5.2), the peer's Recv-Info remembered, INFO for a package we took
// goes to the handler with its name, any other package gets 469 + our Recv-Info (§4.2.2),
// INFO with a package the peer did not list is refused (§4.2.1); legacy RFC 2976 INFO
// (no Info-Package) still answered 200. Manual clock, no sleeps.
#include <gtest/gtest.h>

#include "tests/sip/session_test_util.h"

namespace siptgw::sip::testing {
namespace {

UaConfig infoCfg() {
  UaConfig c;
  c.infoPackages = {"g.3gpp.dtmf", "nosuch-demo"};
  return c;
}

std::string header(const Message& m, HeaderId id) {
  const HeaderField* h = m.find(id);
  return h != nullptr ? std::string(h->value) : std::string("<none>");
}

struct Answered : UaHarness {
  std::string tag;
  InviteSession* s = nullptr;
  explicit Answered(std::string_view inviteExtra, UaConfig cfg = infoCfg()) : UaHarness(std::move(cfg)) {
    incoming = [](InviteSession& x, const Message&) {
      x.provisional(183, "Session Progress", kAnswer, true);
    };
    receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", inviteExtra, kOffer));
    s = last;
    tag = std::string(parsed(sentWith(183).at(0)).to()->tag);
    auto rseq = parsed(sentWith(183)[0]).rseq();
    receive(peerRequest("PRACK", 2, tag, "z9hG4bKpr1", "RAck: " + std::to_string(*rseq) + " 1 INVITE\r\n"));
    s->answer(kAnswer);
    receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  }
  void info(std::uint32_t cseq, std::string_view pkg) {
    std::string extra = pkg.empty() ? std::string() : "Info-Package: " + std::string(pkg) + "\r\n";
    receive(peerRequest("INFO", cseq, tag, "z9hG4bKinfo" + std::to_string(cseq), extra));
  }
};

TEST(SessionInfo, UacAdvertisesRecvInfoAndLearnsThePeers) {  // §5.2.1
  Uac h(kOffer, infoCfg());
  EXPECT_EQ(header(h.inv, HeaderId::RecvInfo), "g.3gpp.dtmf, nosuch-demo");
  h.rx(200, "b1", "Recv-Info: foo, g.3gpp.dtmf\r\n", kAnswer);
  EXPECT_EQ(h.s->peerInfoPackages(), (std::vector<std::string>{"foo", "g.3gpp.dtmf"}));
  EXPECT_TRUE(h.s->info("application/dtmf-relay", "Signal=5\r\n", "g.3gpp.dtmf"));
  EXPECT_FALSE(h.s->info("application/x-bar", "x", "bar"));  // not in their Recv-Info
  EXPECT_TRUE(h.s->info("application/dtmf-relay", "Signal=6\r\n"));  // legacy: always allowed
  auto infos = h.sentWith("INFO");
  ASSERT_EQ(infos.size(), 2u);
  Message i0 = UaHarness::parsed(infos[0]);
  EXPECT_EQ(header(i0, HeaderId::InfoPackage), "g.3gpp.dtmf");
  EXPECT_EQ(i0.body(), "Signal=5\r\n");
  EXPECT_FALSE(UaHarness::parsed(infos[1]).has(HeaderId::InfoPackage));
}

TEST(SessionInfo, NoPackagesNoRecvInfoUnlessThePeerUsesIt) {  // §5.2.2
  Uac h;
  EXPECT_FALSE(h.inv.has(HeaderId::RecvInfo));
  Answered a("Supported: 100rel\r\nRecv-Info: foo\r\n", UaConfig{});
  Message ok = UaHarness::parsed(a.sentWith(200).at(1));  // [0] is the PRACK's
  EXPECT_EQ(ok.cseq()->method, "INVITE");
  ASSERT_TRUE(ok.has(HeaderId::RecvInfo));  // empty: we take no package
  EXPECT_EQ(header(ok, HeaderId::RecvInfo), "");
}

TEST(SessionInfo, UasRecvInfoOnReliable18xAnd2xx) {  // §5.2.2
  Answered h("Supported: 100rel\r\nRecv-Info: g.3gpp.dtmf\r\n");
  EXPECT_EQ(header(UaHarness::parsed(h.sentWith(183)[0]), HeaderId::RecvInfo), "g.3gpp.dtmf, nosuch-demo");
  Message ok = UaHarness::parsed(h.sentWith(200).at(1));
  EXPECT_EQ(ok.cseq()->method, "INVITE");
  EXPECT_EQ(header(ok, HeaderId::RecvInfo), "g.3gpp.dtmf, nosuch-demo");
  EXPECT_EQ(h.s->peerInfoPackages(), (std::vector<std::string>{"g.3gpp.dtmf"}));
}

TEST(SessionInfo, AdvertisedPackageToHandlerOtherIs469LegacyIs200) {  // §4.2.2, RFC 2976
  Answered h("Supported: 100rel\r\n");
  const std::size_t oks = h.sentWith(200).size();
  h.info(3, "g.3gpp.dtmf");
  EXPECT_TRUE(h.has("info g.3gpp.dtmf"));
  EXPECT_EQ(h.sentWith(200).size(), oks + 1);
  h.info(4, "foo");
  auto r = h.sentWith(469);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(header(UaHarness::parsed(r[0]), HeaderId::RecvInfo), "g.3gpp.dtmf, nosuch-demo");
  EXPECT_FALSE(h.has("info foo"));
  h.info(5, "");
  EXPECT_TRUE(h.has("info"));
  EXPECT_EQ(h.sentWith(200).size(), oks + 2);
}

}  // namespace
}  // namespace siptgw::sip::testing
