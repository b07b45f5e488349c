// The gateway configuration: the embedded demo is the file in the tree and loads to the
// values it documents; each kind of error names the file, the line and the key path; all
// errors of a document come back together.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gateway/gateway_config.h"

namespace siptgw::gateway {
namespace {

uint32_t itu(uint32_t a, uint32_t b, uint32_t c) {
  return (a << 11) | (b << 3) | c;
}

TEST(GatewayConfig, EmbeddedDemoIsTheFileInTheTree) {
  std::ifstream f(SIPTGW_DEMO_YAML_PATH);
  std::stringstream ss;
  ss << f.rdbuf();
  ASSERT_FALSE(ss.str().empty());
  EXPECT_EQ(ss.str(), std::string(kDemoConfig));
}

TEST(GatewayConfig, DemoLoads) {
  auto c = loadDemoConfig();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->file, kDemoConfigName);
  EXPECT_EQ(c->node, "siptgw-demo");
  ASSERT_EQ(c->sip.listen.size(), 2u);
  EXPECT_EQ(c->sip.listen[0].transport, sip::TransportType::Udp);
  EXPECT_EQ(c->sip.listen[1].transport, sip::TransportType::Tcp);
  EXPECT_EQ(c->sip.listen[1].address, "127.0.0.1");
  EXPECT_EQ(c->sip.listen[1].port, 5060);
  EXPECT_EQ(c->sip.host, "127.0.0.1");
  EXPECT_EQ(c->sip.rel100, Rel100Mode::Supported);
  EXPECT_EQ(c->sip.timers.t1, 500u);
  EXPECT_EQ(c->sip.timers.sessionExpires, 1800u);
  ASSERT_EQ(c->sip.peers.size(), 1u);
  EXPECT_EQ(c->sip.peers[0].port, 5070);
  EXPECT_TRUE(c->sip.peers[0].trusted);

  EXPECT_EQ(c->isup.link, IsupLinkKind::Simulator);
  EXPECT_EQ(c->isup.stack.opc, itu(0, 0, 1));
  EXPECT_EQ(c->isup.simulator.pointCode, itu(0, 0, 2));
  ASSERT_EQ(c->isup.simulator.rules.size(), 7u);
  EXPECT_EQ(c->isup.simulator.rules[0].prefix, "2001");
  EXPECT_EQ(c->isup.simulator.rules[0].answer_after_ms, 1000);
  EXPECT_EQ(c->isup.simulator.rules[1].answer_after_ms, -1);  // 2002 never answers
  EXPECT_EQ(c->isup.simulator.rules[2].release_cause, 17);
  EXPECT_EQ(c->isup.simulator.rules[2].ring_after_ms, -1);
  EXPECT_EQ(c->isup.simulator.rules[3].release_cause, 1);
  EXPECT_EQ(c->isup.simulator.rules[4].release_cause, 34);
  EXPECT_TRUE(c->isup.simulator.plans.empty());  // quiet by default

  ASSERT_EQ(c->trunks.size(), 2u);
  EXPECT_EQ(c->trunks[0].name(), "A");
  EXPECT_EQ(c->trunks[1].group.cics[0].first, 33);
  EXPECT_EQ(c->trunks[1].group.cics[0].last, 64);
  EXPECT_EQ(c->trunks[1].media.firstCic, 33);
  EXPECT_EQ(c->trunks[1].media.rtpPort(33), 21000);
  EXPECT_EQ(c->trunks[1].media.rtpPort(40), 21014);
  EXPECT_EQ(c->trunks[1].media.codecs.size(), 3u);
  EXPECT_EQ(c->trunks[1].media.codecs[2], Codec::Clearmode);

  ASSERT_EQ(c->routes.size(), 4u);
  EXPECT_EQ(c->routes[2].strip, 2);
  EXPECT_EQ(c->routes[2].noa, NatureOfAddress::International);
  EXPECT_EQ(c->routes[3].targetKind, RouteTargetKind::SipPeer);
  EXPECT_EQ(c->routes[3].from, RouteSource::Isup);

  EXPECT_EQ(c->call.t11Ms, 15000u);
  EXPECT_TRUE(c->metrics.enabled);
  EXPECT_EQ(c->metrics.port, 9464);
  EXPECT_EQ(c->logLevel, LogLevel::Info);

  // The simulator's side mirrors the trunks.
  const auto groups = simulatorGroups(*c);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].dpc, itu(0, 0, 1));
  EXPECT_EQ(groups[1].cics[0].first, 33);
  const auto st = simulatorStackConfig(*c);
  EXPECT_EQ(st.opc, itu(0, 0, 2));
  EXPECT_FALSE(st.reset_on_start);
}

// A small valid document; tests replace or append lines.
const std::string kBase =
    "sip:\n"                                                     // 1
    "  listen:\n"                                                // 2
    "    - {transport: udp, address: 127.0.0.1, port: 5060}\n"   // 3
    "  peers:\n"                                                 // 4
    "    - {name: p1, address: 127.0.0.1, port: 5070}\n"         // 5
    "isup:\n"                                                    // 6
    "  point_code: 0.0.1\n"                                      // 7
    "  simulator: {point_code: 0.0.2}\n"                         // 8
    "trunks:\n"                                                  // 9
    "  - {name: A, dpc: 0.0.2, cics: [{first: 1, last: 31}]}\n"  // 10
    "routes:\n"                                                  // 11
    "  - {prefix: \"1\", trunk: A}\n";                           // 12

std::string replaceLine(std::string doc, int line, const std::string& text) {
  std::size_t pos = 0;
  for (int i = 1; i < line; ++i) pos = doc.find('\n', pos) + 1;
  const std::size_t end = doc.find('\n', pos);
  return doc.replace(pos, end - pos, text);
}

TEST(GatewayConfig, BaseIsValid) {
  auto c = parseGatewayConfig(kBase, "g.yaml");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->trunks[0].profile, "rfc3398");
  EXPECT_EQ(c->metrics.address, "127.0.0.1");
  EXPECT_EQ(c->call.sipNoAnswerMs, 120000u);
  EXPECT_EQ(c->sip.udpCoalesceUs, 0u);  // UDP read on arrival unless configured
  auto co = parseGatewayConfig(replaceLine(kBase, 4, "  udp_coalesce_us: 2000\n  peers:"), "g.yaml");
  ASSERT_TRUE(co.ok()) << co.error().describe();
  EXPECT_EQ(co->sip.udpCoalesceUs, 2000u);
  EXPECT_EQ(c->sip.udpReceiveBufferBytes, 0u);  // the kernel's default unless configured
  auto rb = parseGatewayConfig(
      replaceLine(kBase, 4, "  udp_receive_buffer_bytes: 8388608\n  peers:"), "g.yaml");
  ASSERT_TRUE(rb.ok()) << rb.error().describe();
  EXPECT_EQ(rb->sip.udpReceiveBufferBytes, 8388608u);
  EXPECT_TRUE(c->sip.sessionTimerRefreshAlone);  // RFC 4028 §7.2: we refresh a peer without it
  auto ra = parseGatewayConfig(
      replaceLine(kBase, 4, "  session_timer: {refresh_alone: false}\n  peers:"), "g.yaml");
  ASSERT_TRUE(ra.ok()) << ra.error().describe();
  EXPECT_FALSE(ra->sip.sessionTimerRefreshAlone);
}

TEST(GatewayConfig, EachKindOfErrorNamesLineAndKey) {
  struct Case {
    int line;  // 0: append `text`
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {3, "    - {transport: sctp, address: 127.0.0.1}",
       "g.yaml:3: sip.listen[0].transport: 'sctp' is not one of: udp, tcp, tls"},
      {3, "    - {address: example.com}",
       "g.yaml:3: sip.listen[0].address: 'example.com' is not an IPv4 or IPv6 address"},
      {3, "    - {port: 70000}", "g.yaml:3: sip.listen[0].port: 70000 is outside 1..65535"},
      {3, "    - {prot: 5060}", "g.yaml:3: sip.listen[0].prot: unknown key"},
      {0, "  - {prefix: \"2\", trunk: B}", "g.yaml:13: routes[1].trunk: no trunk named 'B'"},
      {0, "  - {prefix: \"2\", sip_peer: p9}",
       "g.yaml:13: routes[1].sip_peer: no SIP peer named 'p9'"},
      {0, "  - {prefix: \"2\"}", "g.yaml:13: routes[1]: missing the target"},
      {0, "  - {prefix: \"1\", trunk: A}",
       "g.yaml:13: routes[1].prefix: duplicate route for prefix '1' (first at line 12)"},
      {0, "  - {prefix: \"1x\", trunk: A}",
       "g.yaml:13: routes[1].prefix: '1x' is not a digit string"},
      {0, "  - {prefix: \"3\", trunk: A, noa: national-ish}",
       "g.yaml:13: routes[1].noa: 'national-ish' is not one of"},
      {10, "  - {name: A, dpc: 0.0.2, cics: [{first: 1, last: 31}], profile: sip-t}",
       "g.yaml:10: trunks[0].profile: unknown profile 'sip-t' (known: rfc3398, 3gpp-29163, "
       "q1912.5)"},
      {10, "  - {name: A, dpc: 0.0.2, cics: [{first: 1, last: 31}, {first: 20, last: 40}]}",
       "g.yaml:10: trunks[0].cics[1]: CICs 20..40 overlap another range of this trunk"},
      {10, "  - {name: A, dpc: 0.0.3, cics: [{first: 1, last: 31}]}",
       "g.yaml:10: trunks[0].dpc: with link: simulator every trunk's DPC is the simulator's point "
       "code 0.0.2"},
      {10, "  - {name: A, dpc: 0.0.2, cics: [{first: 1, last: 5000}]}",
       "g.yaml:10: trunks[0].cics[0].last: 5000 is outside 0..4095"},
      {10,
       "  - {name: A, dpc: 0.0.2, cics: [{first: 1, last: 31}], media: {rtp_port_base: 65000, "
       "rtp_port_step: 100}}",
       "g.yaml:10: trunks[0].media.rtp_port_base: CIC 31 would need port 68001 (above 65535)"},
      {10, "  - {name: A, dpc: 0.0.2, cics: [{first: 1, last: 31}], media: {codecs: [PCMA, G729]}}",
       "g.yaml:10: trunks[0].media.codecs[1]: 'G729' is not one of: PCMA, PCMU, clearmode"},
      {7, "  point_code: 0.300.1", "g.yaml:7: isup.point_code:"},
      {8, "  simulator: {point_code: 0.0.1}",
       "g.yaml:8: isup.simulator.point_code: the simulator needs a point code of its own"},
      {0, "call: {t11_ms: 30000}", "g.yaml:13: call.t11_ms: 30000 is outside 15000..20000"},
      {0, "metrics: {port: 5060}", ""},  // UDP 5060 and the TCP exporter may share the number
      {0, "log: {level: verbose}",
       "g.yaml:13: log.level: 'verbose' is not one of: trace, debug, info, warn, error"},
      {0, "profiles: {rfc3398: {cause_to_status: {17: 200}}}",
       "g.yaml:13: profiles.rfc3398.cause_to_status.17: 200 is outside 400..699"},
      {0, "profiles: {rfc3398: {status_to_cause: {99: 16}}}",
       "g.yaml:13: profiles.rfc3398.status_to_cause.99: not a SIP status 400..699"},
      {0, "profiles: {sipi: {}}", "g.yaml:13: profiles.sipi: unknown profile"},
      {0, "colour: blue", "g.yaml:13: colour: unknown key"},
      {4, "  udp_coalesce_us: 50000\n  peers:",
       "g.yaml:4: sip.udp_coalesce_us: 50000 is outside 0..20000"},
      {4, "  udp_receive_buffer_bytes: -1\n  peers:",
       "g.yaml:4: sip.udp_receive_buffer_bytes: -1 is outside 0..1073741824"},
      // Checked even while link: simulator leaves it unused.
      {8, "  simulator: {point_code: 0.0.2}\n  m3ua: {remote_ip: 127.0.0.1, remote_prt: 1}",
       "g.yaml:9: isup.m3ua.remote_prt: unknown key"},
  };
  for (const auto& tc : cases) {
    const std::string doc =
        tc.line == 0 ? kBase + tc.text + "\n" : replaceLine(kBase, tc.line, tc.text);
    auto c = parseGatewayConfig(doc, "g.yaml");
    if (tc.expected.empty()) {
      EXPECT_TRUE(c.ok()) << tc.text << "\n" << (c.ok() ? "" : c.error().describe());
      continue;
    }
    ASSERT_FALSE(c.ok()) << tc.text;
    EXPECT_NE(c.error().describe().find(tc.expected), std::string::npos)
        << "doc line: " << tc.text << "\nwant: " << tc.expected
        << "\ngot:  " << c.error().describe();
  }
}

TEST(GatewayConfig, EveryErrorAtOnce) {
  std::string doc = replaceLine(kBase, 3, "    - {transport: udp, address: 127.0.0.1, port: 0}");
  doc = replaceLine(doc, 12, "  - {prefix: \"1\", trunk: Z}");
  doc += "metrics: {enabled: maybe}\n";
  auto c = parseGatewayConfig(doc, "g.yaml");
  ASSERT_FALSE(c.ok());
  ASSERT_EQ(c.error().list().size(), 3u) << c.error().describe();
  EXPECT_EQ(c.error().list()[0].line, 3);
  EXPECT_EQ(c.error().list()[0].path, "sip.listen[0].port");
  EXPECT_EQ(c.error().list()[1].line, 12);
  EXPECT_EQ(c.error().list()[1].path, "routes[0].trunk");
  EXPECT_EQ(c.error().list()[2].line, 13);
  EXPECT_EQ(c.error().list()[2].path, "metrics.enabled");
}

TEST(GatewayConfig, ListenClashes) {
  std::string doc = replaceLine(kBase, 3,
                                "    - {transport: tcp, address: 0.0.0.0, port: 5060}\n"
                                "    - {transport: tls, address: 127.0.0.1, port: 5060}\n"
                                "    - {transport: udp, address: 127.0.0.1, port: 5060}");
  doc = replaceLine(doc, 2, "  host: gw.example.net\n  listen:");
  auto c = parseGatewayConfig(doc, "g.yaml");
  ASSERT_FALSE(c.ok());
  const std::string d = c.error().describe();
  EXPECT_NE(d.find("sip.listen[1].port: clashes with another listener (TCP 0.0.0.0:5060)"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("a tls listener needs sip.tls.cert and sip.tls.key"), std::string::npos) << d;
  EXPECT_EQ(d.find("listen[2]"), std::string::npos) << d;  // UDP beside TCP is fine
}

TEST(GatewayConfig, WildcardListenerNeedsHost) {
  auto c = parseGatewayConfig(replaceLine(kBase, 3, "    - {address: \"::\"}"), "g.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().describe().find(
                "g.yaml:3: sip.listen[0].address: a wildcard address: set sip.host"),
            std::string::npos)
      << c.error().describe();
}

TEST(GatewayConfig, ProfilesAndTimers) {
  std::string doc = kBase +
                    "profiles:\n"
                    "  3gpp-29163:\n"
                    "    cause_to_status: {17: 486, 34: 480}\n"
                    "    status_to_cause: {503: 41}\n"
                    "    country_code: \"49\"\n"
                    "    national_prefix: \"0\"\n"
                    "call: {t11_ms: 20000, sip_no_answer_ms: 0}\n";
  doc = replaceLine(doc, 7, "  point_code: 0.0.1\n  timers: {T7: 25000, T9: 120000}");
  auto c = parseGatewayConfig(doc, "g.yaml");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  const auto& p = c->profiles.at("3gpp-29163");
  EXPECT_EQ(p.causeToStatus.at(17), 486);
  EXPECT_EQ(p.causeToStatus.at(34), 480);
  EXPECT_EQ(p.statusToCause.at(503), 41);
  EXPECT_EQ(p.countryCode, "49");
  EXPECT_EQ(p.nationalPrefix, "0");
  EXPECT_FALSE(p.areaCode.has_value());
  EXPECT_EQ(c->isup.stack.timers.ms(isup::IsupTimer::T7), 25000u);
  auto badCc = parseGatewayConfig(kBase + "profiles:\n  rfc3398:\n    country_code: \"49x\"\n", "g.yaml");
  ASSERT_FALSE(badCc.ok());
  EXPECT_NE(badCc.error().describe().find("profiles.rfc3398.country_code: digits only"), std::string::npos)
      << badCc.error().describe();
  EXPECT_EQ(c->call.t11Ms, 20000u);
  EXPECT_EQ(c->call.sipNoAnswerMs, 0u);

  auto bad = parseGatewayConfig(
      replaceLine(kBase, 7, "  point_code: 0.0.1\n  timers: {T7: 1000, T99: 5}"), "g.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().describe().find("g.yaml:8: isup.timers.T7:"), std::string::npos)
      << bad.error().describe();
  EXPECT_NE(bad.error().describe().find("g.yaml:8: isup.timers.T99: unknown timer"),
            std::string::npos);
}

TEST(GatewayConfig, M3uaLinkTakesRoutesFromTrunks) {
  std::string doc = replaceLine(kBase, 8,
                                "  link: m3ua\n"
                                "  m3ua: {remote_ip: 127.0.0.1, routing_context: 7}");
  doc += "trunks2: x\n";
  auto withTypo = parseGatewayConfig(doc, "g.yaml");
  ASSERT_FALSE(withTypo.ok());
  doc.erase(doc.find("trunks2"));
  auto c = parseGatewayConfig(doc, "g.yaml");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->isup.link, IsupLinkKind::M3ua);
  EXPECT_EQ(c->isup.m3ua.local_pc, itu(0, 0, 1));
  EXPECT_EQ(c->isup.m3ua.routing_context, 7u);
  ASSERT_EQ(c->isup.m3ua.routes.size(), 1u);
  EXPECT_EQ(c->isup.m3ua.routes[0].dpc, itu(0, 0, 2));
  EXPECT_EQ(c->isup.m3ua.as_name, "as-siptgw");
}

TEST(GatewayConfig, OriginatingPlanNamesATrunk) {
  auto good = parseGatewayConfig(
      replaceLine(
          kBase, 8,
          "  simulator: {point_code: 0.0.2, originating: [{group: A, numbers: [\"5001\"]}]}"),
      "g.yaml");
  ASSERT_TRUE(good.ok()) << good.error().describe();
  ASSERT_EQ(good->isup.simulator.plans.size(), 1u);
  EXPECT_EQ(good->isup.simulator.plans[0].plan.numbers[0], "5001");
  auto bad = parseGatewayConfig(
      replaceLine(
          kBase, 8,
          "  simulator: {point_code: 0.0.2, originating: [{group: B, numbers: [\"5001\"]}]}"),
      "g.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().describe().find(
                "g.yaml:8: isup.simulator.originating[0].group: no circuit group named 'B'"),
            std::string::npos)
      << bad.error().describe();
}

TEST(GatewayConfig, MissingFile) {
  auto c = loadGatewayConfig("/nonexistent/gw.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().describe(), "/nonexistent/gw.yaml: cannot read the file\n");
}

}  // namespace
}  // namespace siptgw::gateway
