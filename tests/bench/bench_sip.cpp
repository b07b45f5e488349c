// SIP message layer benchmarks (figures only, never pass/fail — DESIGN.md "Tests"):
//   BM_ParseInvite         parse a typical ~900-byte INVITE with SDP + typed Via/From/To/CSeq
//   BM_ParseInviteScanOnly the header scan alone
//   BM_Build200Ok          build a typical 200 OK for that INVITE into a reused std::string
//   BM_SerializeParsed     re-serialise the parsed INVITE into a reused std::string
//   BM_ParseSdp            parse the INVITE's SDP body
#include <benchmark/benchmark.h>

#include <string>

#include "sip/message.h"
#include "sip/message_builder.h"
#include "sip/sdp.h"

namespace {

using namespace siptgw::sip;

const std::string kSdp =
    "v=0\r\n"
    "o=- 3868213497 3868213497 IN IP4 198.51.100.10\r\n"
    "s=-\r\n"
    "c=IN IP4 198.51.100.10\r\n"
    "t=0 0\r\n"
    "m=audio 40000 RTP/AVP 8 0 101\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

std::string makeInvite() {
  std::string m =
      "INVITE sip:+4930123456@gw.carrier.example.net:5060;user=phone SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK-524287-1---a7b8c9d0e1f2a3b4;rport\r\n"
      "Max-Forwards: 70\r\n"
      "From: \"Alice Caller\" <sip:+4940111222@sbc.example.com;user=phone>;tag=as5f3d2c1b\r\n"
      "To: <sip:+4930123456@gw.carrier.example.net;user=phone>\r\n"
      "Call-ID: 4f6c2a9e1d8b7c3a5e0f@198.51.100.10\r\n"
      "CSeq: 102 INVITE\r\n"
      "Contact: <sip:+4940111222@198.51.100.10:5060;transport=udp>\r\n"
      "Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, INFO, OPTIONS, REFER, NOTIFY\r\n"
      "Supported: 100rel, timer, replaces, precondition\r\n"
      "P-Asserted-Identity: \"Alice Caller\" <sip:+4940111222@sbc.example.com;user=phone>\r\n"
      "Content-Type: application/sdp\r\n"
      "Content-Length: ";
  m += std::to_string(kSdp.size());
  m += "\r\n\r\n";
  m += kSdp;
  return m;
}

void BM_ParseInvite(benchmark::State& state) {
  const std::string wire = makeInvite();
  Message m;
  for (auto _ : state) {
    auto r = m.parse(wire);
    const auto& via = m.topVia();
    const auto& from = m.from();
    const auto& to = m.to();
    const auto& cseq = m.cseq();
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(via->branch.data());
    benchmark::DoNotOptimize(from->tag.data());
    benchmark::DoNotOptimize(to->uri.sip.host.data());
    benchmark::DoNotOptimize(cseq->number);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
  state.counters["bytes"] = static_cast<double>(wire.size());
}
BENCHMARK(BM_ParseInvite);

void BM_ParseInviteScanOnly(benchmark::State& state) {
  const std::string wire = makeInvite();
  Message m;
  for (auto _ : state) {
    auto r = m.parse(wire);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_ParseInviteScanOnly);

void BM_Build200Ok(benchmark::State& state) {
  const std::string wire = makeInvite();
  Message req;
  if (!req.parse(wire).ok()) {
    state.SkipWithError("parse failed");
    return;
  }
  std::string out;
  out.reserve(2048);
  for (auto _ : state) {
    out.clear();
    MessageBuilder b(out, 0);
    appendResponseFor(b, req, 200, "OK", "gw-7f3a9c")
        .header(HeaderId::Contact, "<sip:gw.carrier.example.net:5060;transport=udp>")
        .header(HeaderId::Allow, "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, INFO, OPTIONS")
        .header(HeaderId::Supported, "100rel, timer")
        .finish(kSdp, "application/sdp");
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Build200Ok);

void BM_SerializeParsed(benchmark::State& state) {
  const std::string wire = makeInvite();
  Message m;
  if (!m.parse(wire).ok()) {
    state.SkipWithError("parse failed");
    return;
  }
  std::string out;
  out.reserve(2048);
  for (auto _ : state) {
    out.clear();
    serialize(m, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_SerializeParsed);

void BM_ParseSdp(benchmark::State& state) {
  for (auto _ : state) {
    auto r = parseSdp(kSdp);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseSdp);

}  // namespace

BENCHMARK_MAIN();
