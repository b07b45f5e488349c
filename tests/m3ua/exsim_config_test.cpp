// `siptgw exchange-sim` configuration: the example loads to the expected values; each kind
// of error names the file, the line and the key.
#include <gtest/gtest.h>

#include "gateway/exchange_sim_config.h"

namespace siptgw::gateway {
namespace {

TEST(ExsimConfig, ExampleLoads) {
  auto c = loadExchangeSimConfig(SIPTGW_EXSIM_EXAMPLE);
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->name, "far-end");
  EXPECT_EQ(c->stack.variant, isup::Variant::Itu);
  EXPECT_EQ(c->stack.opc, (23u << 3) | 3u);
  EXPECT_EQ(c->stack.network_indicator, 2);
  EXPECT_FALSE(c->stack.reset_on_resume);  // the command resets after reset_delay_ms
  EXPECT_EQ(c->reset_delay_ms, 1000u);
  EXPECT_EQ(c->stack.timers.ms(isup::IsupTimer::T7), 25000u);
  EXPECT_EQ(c->stack.timers.ms(isup::IsupTimer::T9), 120000u);
  ASSERT_EQ(c->m3ua.asps.size(), 1u);
  EXPECT_EQ(c->m3ua.asps[0].local_port, 2907);
  EXPECT_EQ(c->m3ua.asps[0].remote_hosts, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(c->m3ua.routing_context, 200u);
  ASSERT_EQ(c->m3ua.routes.size(), 1u);
  EXPECT_EQ(c->m3ua.routes[0].dpc, (23u << 3) | 2u);
  ASSERT_EQ(c->groups.size(), 1u);
  ASSERT_EQ(c->groups[0].cics.size(), 2u);
  EXPECT_EQ(c->groups[0].cics[1].first, 33);
  EXPECT_EQ(c->groups[0].cics[1].last, 63);
  EXPECT_EQ(c->groups[0].selection, isup::Selection::DualSeizureControl);
  ASSERT_EQ(c->rules.size(), 4u);
  EXPECT_EQ(c->rules[1].answer_after_ms, -1);
  EXPECT_TRUE(c->rules[1].inband);
  ASSERT_EQ(c->rules[1].cpg.size(), 1u);
  EXPECT_EQ(c->rules[1].cpg[0].first, 500u);
  EXPECT_EQ(c->rules[2].release_cause, 17);
  EXPECT_EQ(c->rules[2].release_location, 1);
  EXPECT_EQ(c->rules[2].ring_after_ms, -1);
  EXPECT_EQ(c->rules[3].overlap_digits, 8u);
  EXPECT_TRUE(c->stack.incoming_overlap);
  ASSERT_EQ(c->plans.size(), 2u);
  EXPECT_EQ(c->plans[0].plan.interval_ms, 500u);
  EXPECT_EQ(c->plans[0].plan.calls, 10u);
  EXPECT_EQ(c->plans[0].start_ms, 1000u);
  EXPECT_EQ(c->plans[1].plan.overlap_initial, 4u);
  EXPECT_TRUE(c->plans[1].plan.continuity);
  ASSERT_EQ(c->maintenance.size(), 6u);
  EXPECT_EQ(c->maintenance[0].kind, MaintenanceKind::Cgb);
  EXPECT_EQ(c->maintenance[0].mask, 0x0Fu);
  EXPECT_EQ(c->maintenance[0].count, 8);
  EXPECT_EQ(c->maintenance[0].dpc, (23u << 3) | 2u);  // from the first group
  EXPECT_EQ(c->maintenance[5].kind, MaintenanceKind::Grs);
  EXPECT_EQ(c->pcap, "far-end.pcap");
  EXPECT_EQ(c->duration_ms, 60000u);
  EXPECT_EQ(c->expect.min_answered, 10u);
  EXPECT_EQ(c->expect.min_release_causes.at(16), 10u);
}

const char* kBase =
    "point_code: 0.23.3\n"                         // 1
    "m3ua: {remote_ip: 127.0.0.1}\n"               // 2
    "circuit_groups:\n"                            // 3
    "  - {name: g, dpc: 0.23.2, cics: [{first: 1, last: 4}]}\n";  // 4

// Parses kBase + extra; returns the single error's description ("" when it loaded).
std::vector<std::string> errorsOf(const std::string& extra) {
  auto c = parseExchangeSimConfig(std::string(kBase) + extra, "x.yaml");
  std::vector<std::string> out;
  if (!c)
    for (const auto& e : c.error().list()) out.push_back(e.describe());
  return out;
}

TEST(ExsimConfig, MinimalLoads) {
  auto c = parseExchangeSimConfig(kBase, "x.yaml");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_FALSE(c->m3ua.has_routing_context);
  EXPECT_EQ(c->m3ua.asps[0].remote_port, 2905);
  EXPECT_TRUE(c->plans.empty());
}

TEST(ExsimConfig, EachKindOfErrorNamesLineAndKey) {
  struct Case {
    std::string extra;
    std::string expected;
  } cases[] = {
      {"colour: red\n", "x.yaml:5: colour: unknown key"},
      {"network_indicator: 7\n", "x.yaml:5: network_indicator: 7 is outside 0..3"},
      {"point_code_format: octal\n", "x.yaml:5: point_code_format: 'octal' is not one of: itu, ansi"},
      {"reset_delay_ms: soon\n", "x.yaml:5: reset_delay_ms: 'soon' is not an integer"},
      {"timers: {T7: 10}\n", "x.yaml:5: timers.T7: T7: 10 ms outside"},
      {"timers: {T99: 10}\n", "x.yaml:5: timers.T99: unknown timer"},
      {"terminating:\n  - prefix: \"12a\"\n", "x.yaml:6: terminating[0].prefix: '12a' is not a digit string"},
      {"terminating:\n  - {prefix: \"1\", answer_ms: 5, never_answer: true}\n",
       "x.yaml:6: terminating[0].never_answer: never_answer and answer_ms exclude each other"},
      {"terminating:\n  - release: {cause: 200}\n", "x.yaml:6: terminating[0].release.cause: 200 is outside 1..127"},
      {"originating:\n  - {group: nope, numbers: [\"1\"]}\n", "x.yaml:6: originating[0].group: no circuit group named 'nope'"},
      {"originating:\n  - {count: 3}\n", "x.yaml:6: originating[0]: missing required key 'numbers'"},
      {"maintenance:\n  - {at_ms: 5, action: zap}\n", "x.yaml:6: maintenance[0].action: 'zap' is not one of"},
      {"maintenance:\n  - {at_ms: 5, action: cgb, count: 4, mask: 0x10}\n", "x.yaml:6: maintenance[0].mask: mask has bits beyond count"},
      {"run: {exit_when_plans_done: maybe}\n", "x.yaml:5: run.exit_when_plans_done: true or false is needed here"},
      {"expect: {min_release_causes: {300: 1}}\n", "x.yaml:5: expect.min_release_causes.300: not a Q.850 cause"},
  };
  for (const auto& tc : cases) {
    const auto errs = errorsOf(tc.extra);
    ASSERT_FALSE(errs.empty()) << tc.extra;
    EXPECT_EQ(errs.size(), 1u) << tc.extra << "\n" << errs[0];
    EXPECT_EQ(errs[0].rfind(tc.expected, 0), 0u) << tc.extra << "\n got: " << errs[0] << "\n want: " << tc.expected;
  }
}

TEST(ExsimConfig, GroupErrors) {
  auto c = parseExchangeSimConfig(
      "point_code: 0.23.3\n"
      "m3ua: {remote_ip: 127.0.0.1, local_port: 70000}\n"
      "circuit_groups:\n"
      "  - {dpc: 9.0.0, cics: [{first: 5, last: 2}], selection: random}\n",
      "g.yaml");
  ASSERT_FALSE(c.ok());
  const std::string all = c.error().describe();
  EXPECT_NE(all.find("g.yaml:2: m3ua.local_port: 70000 is outside 0..65535"), std::string::npos) << all;
  EXPECT_NE(all.find("g.yaml:4: circuit_groups[0].dpc:"), std::string::npos) << all;
  EXPECT_NE(all.find("g.yaml:4: circuit_groups[0].cics[0].last: last (2) is below first"), std::string::npos) << all;
  EXPECT_NE(all.find("g.yaml:4: circuit_groups[0].selection: 'random' is not one of"), std::string::npos) << all;
}

TEST(ExsimConfig, MissingFileAndSyntaxError) {
  auto c = loadExchangeSimConfig("/nonexistent/exsim.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().describe().find("/nonexistent/exsim.yaml: cannot read the file"), std::string::npos);
  auto d = parseExchangeSimConfig("point_code: [0.23.3\n", "s.yaml");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().list()[0].file, "s.yaml");
  EXPECT_GT(d.error().list()[0].line, 0);
}

}  // namespace
}  // namespace siptgw::gateway
