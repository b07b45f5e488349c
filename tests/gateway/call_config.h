// The gateway configuration the call tests (call_test.cpp) and the gateway fuzzer
// (tests/fuzz/gateway_call.cpp) run: SIP on 10.0.0.1:5060 with one trusted peer
// (192.0.2.10), ISUP ITU from point code 100 to the exchange simulator at 200 over one
// trunk of CICs 1-4, and the simulator's answers by called number (see `terminating`).
#pragma once

#include <string_view>

namespace siptgw::gateway {

inline constexpr std::string_view kCallTestConfig = R"(
node: gw-test
sip:
  listen: [{transport: udp, address: 10.0.0.1, port: 5060}]
  host: 10.0.0.1
  peers:
    - {name: sbc, address: 192.0.2.10, port: 5060, transport: udp, trusted: true}
isup:
  variant: itu
  point_code: 100
  link: simulator
  simulator:
    point_code: 200
    terminating:
      - {prefix: "4930100", ring_ms: 100, answer_ms: 1000}
      - {prefix: "4930101", ring_ms: 100, answer_ms: 1000, hold_ms: 2000}
      - {prefix: "4930102", ring_ms: 100}
      - {prefix: "4930103", ring_ms: -1, release: {cause: 17, location: 1, after_ms: 10}}
      - {prefix: "4930104", ring_ms: -1, release: {cause: 1, location: 1, after_ms: 10}}
      - {prefix: "4930105", ring_ms: 100, inband: true}
      - {prefix: "4930106", ring_ms: -1}
trunks:
  - name: a
    dpc: 200
    cics: [{first: 1, last: 4}]
    direction: both
    selection: sequential
    media: {address: 10.0.0.5, rtp_port_base: 30000, rtp_port_step: 2, codecs: [PCMA, PCMU]}
routes:
  - {prefix: "49", from: sip, trunk: a}
  - {prefix: "", from: isup, sip_peer: sbc}
call:
  t11_ms: 15000
  sip_no_answer_ms: 0
metrics: {enabled: false}
)";

}  // namespace siptgw::gateway
