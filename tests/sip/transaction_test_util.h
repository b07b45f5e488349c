// Test harness for the SIP transaction layer: a fake transport that records every send with
// the manual clock's time, a recording TU, and builders for the messages the tests exchange.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "config/timer_service.h"
#include "sip/message.h"
#include "sip/message_ref.h"
#include "sip/transaction.h"
#include "sip/transport_types.h"

namespace siptgw::sip::testing {

struct Sent {
  Destination dst;
  std::string bytes;
  std::uint64_t cookie;
  std::uint64_t atMs;
  std::uint16_t status() const {
    return bytes.starts_with("SIP/2.0 ") ? static_cast<std::uint16_t>(std::stoi(bytes.substr(8, 3))) : 0;
  }
  std::string method() const { return bytes.substr(0, bytes.find(' ')); }
};

class FakeTransport final : public TransportSender {
 public:
  explicit FakeTransport(TimerService& clock) : clock_(clock) {}
  TransportErrc send(const Destination& dst, std::string_view bytes, std::uint64_t cookie) override {
    if (failAll) return TransportErrc::SendFailed;
    sent.push_back({dst, std::string(bytes), cookie, clock_.nowMs()});
    return TransportErrc::Ok;
  }
  std::string_view sentBy(TransportType t, bool) const override {
    return t == TransportType::Udp ? "10.0.0.1:5060" : "10.0.0.1:5062";
  }
  std::vector<Sent> sent;
  bool failAll = false;

 private:
  TimerService& clock_;
};

class RecordingTu final : public TransactionUser {
 public:
  void onRequest(Transaction& t, const Message& r) override {
    events.push_back("request " + std::string(r.method()));
    lastServer = t.id();
    if (onReq) onReq(t, r);
  }
  void onAck(const Message&, const Source&) override { events.push_back("ack"); }
  void onResponse(Transaction&, const Message& r) override {
    events.push_back("response " + std::to_string(r.statusCode()));
  }
  void onStrayResponse(const Message& r, const Source&) override {
    events.push_back("stray " + std::to_string(r.statusCode()));
  }
  void onFailure(Transaction&, TxnFailure f) override {
    events.push_back(f == TxnFailure::Timeout ? "failure timeout"
                     : f == TxnFailure::NoAck ? "failure noack"
                                              : "failure transport");
    lastFailureStatus = equivalentStatus(f);
  }
  void onTerminated(Transaction&) override { events.push_back("terminated"); }

  std::vector<std::string> events;
  TxnId lastServer = 0;
  std::uint16_t lastFailureStatus = 0;
  std::function<void(Transaction&, const Message&)> onReq;
};

struct Harness {
  explicit Harness(TransactionConfig cfg = {}) : layer(clock, net, tu, cfg) {}
  ManualTimerService clock;
  FakeTransport net{clock};
  RecordingTu tu;
  TransactionLayer layer;

  // Feeds bytes as if the transport received them from `src`.
  void receive(const std::string& bytes, const Source& src) {
    // As the transport delivers: parsed once into a shared box (MessageRef) that whoever
    // keeps the message shares; the box is released when this call returns.
    auto rx = MessageRef::parse(bytes);
    ASSERT_TRUE(rx) << bytes;
    layer.onMessage(rx->mutableMessage(), src);
  }
  std::vector<std::uint64_t> sendTimes(std::size_t from = 0) const {
    std::vector<std::uint64_t> v;
    for (std::size_t i = from; i < net.sent.size(); ++i) v.push_back(net.sent[i].atMs);
    return v;
  }
  bool hasEvent(std::string_view e) const {
    for (const auto& x : tu.events) {
      if (x == e) return true;
    }
    return false;
  }
  std::size_t countEvent(std::string_view e) const {
    std::size_t n = 0;
    for (const auto& x : tu.events) n += x == e;
    return n;
  }
};

inline Source udpPeer(std::uint64_t conn = 7) {
  return Source{TransportType::Udp, *Endpoint::fromIp("192.0.2.10", 5060),
                *Endpoint::fromIp("10.0.0.1", 5060), conn};
}
inline Source tcpPeer(std::uint64_t conn = 9) {
  return Source{TransportType::Tcp, *Endpoint::fromIp("192.0.2.10", 40000),
                *Endpoint::fromIp("10.0.0.1", 5060), conn};
}
inline Destination udpDest() {
  return Destination{TransportType::Udp, *Endpoint::fromIp("192.0.2.20", 5060), 0};
}
inline Destination tcpDest() {
  return Destination{TransportType::Tcp, *Endpoint::fromIp("192.0.2.20", 5060), 0};
}

// A request as a peer (or the TU) would write it.
inline std::string request(std::string_view method, std::string_view branch,
                           std::string_view via = "SIP/2.0/UDP 192.0.2.10:5060",
                           std::string_view fromTag = "ft1", std::string_view toTag = "",
                           std::uint32_t cseq = 1, std::string_view callId = "call-1@192.0.2.10",
                           std::string_view extra = "", std::string_view body = "") {
  std::string s;
  s.append(method).append(" sip:+15551234@gw.example.net SIP/2.0\r\n");
  s.append("Via: ").append(via);
  if (!branch.empty()) s.append(";branch=").append(branch);
  s.append("\r\nMax-Forwards: 70\r\n");
  s.append("From: <sip:alice@192.0.2.10>;tag=").append(fromTag).append("\r\n");
  s.append("To: <sip:+15551234@gw.example.net>");
  if (!toTag.empty()) s.append(";tag=").append(toTag);
  s.append("\r\nCall-ID: ").append(callId).append("\r\n");
  s.append("CSeq: ").append(std::to_string(cseq)).append(" ").append(method == "ACK" ? "ACK" : method).append("\r\n");
  s.append(extra);
  s.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n").append(body);
  return s;
}

// An OPTIONS of its own call (Call-ID made from the branch), so that many can be open at once.
inline std::string optionsOwnCall(const std::string& branch) {
  return request("OPTIONS", branch, "SIP/2.0/UDP 192.0.2.10:5060", "ft1", "", 1, branch + "@192.0.2.10");
}

// A response to one of our requests (client side).
inline std::string response(std::uint16_t code, std::string_view branch, std::string_view method,
                            std::string_view toTag = "tt1", std::uint32_t cseq = 1,
                            std::string_view via = "SIP/2.0/UDP 10.0.0.1:5060") {
  std::string s = "SIP/2.0 " + std::to_string(code) + " Whatever\r\n";
  s.append("Via: ").append(via).append(";branch=").append(branch).append("\r\n");
  s.append("From: <sip:gw@10.0.0.1>;tag=gw1\r\n");
  s.append("To: <sip:bob@192.0.2.20>");
  if (!toTag.empty()) s.append(";tag=").append(toTag);
  s.append("\r\nCall-ID: out-1@10.0.0.1\r\n");
  s.append("CSeq: ").append(std::to_string(cseq)).append(" ").append(method).append("\r\n");
  s.append("Content-Length: 0\r\n\r\n");
  return s;
}

// A request the TU sends (client side).
inline std::string outRequest(std::string_view method, std::string_view branch,
                              std::string_view transport = "UDP", std::string_view extra = "",
                              std::string_view body = "") {
  std::string s;
  s.append(method).append(" sip:bob@192.0.2.20 SIP/2.0\r\n");
  s.append("Via: SIP/2.0/").append(transport).append(" 10.0.0.1:5060;branch=").append(branch).append(";rport\r\n");
  s.append("Route: <sip:proxy.example.net;lr>\r\n");
  s.append("Max-Forwards: 70\r\n");
  s.append("From: <sip:gw@10.0.0.1>;tag=gw1\r\n");
  s.append("To: <sip:bob@192.0.2.20>\r\n");
  s.append("Call-ID: out-1@10.0.0.1\r\n");
  s.append("CSeq: 1 ").append(method).append("\r\n");
  s.append(extra);
  s.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n").append(body);
  return s;
}

}  // namespace siptgw::sip::testing
