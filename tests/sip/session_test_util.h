// Harness for UserAgent / InviteSession tests: the UA over FakeTransport and
// ManualTimerService, a recording SessionHandler, and the peer's messages.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "sip/message_builder.h"
#include "sip/user_agent.h"
#include "tests/sip/transaction_test_util.h"

namespace siptgw::sip::testing {

inline const std::string kOffer =
    "v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
inline const std::string kAnswer =
    "v=0\r\no=gw 2 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

struct UaHarness : SessionHandler {
  explicit UaHarness(UaConfig cfg = {}, TransactionConfig txnCfg = {})
      : ua(clock, net, *this, std::move(cfg), txnCfg) {}
  ManualTimerService clock;
  FakeTransport net{clock};
  UserAgent ua;

  std::function<void(InviteSession&, const Message&)> incoming;
  std::vector<std::string> events;
  InviteSession* last = nullptr;
  EndReason endReason = EndReason::LocalBye;
  std::uint16_t endCode = 0;
  std::string endRemoteReason;

  void onIncoming(InviteSession& s, const Message& inv) override {
    last = &s;
    events.push_back("incoming");
    if (incoming) incoming(s, inv);
  }
  void onProvisional(InviteSession&, const Message& r) override {
    events.push_back("provisional " + std::to_string(r.statusCode()));
  }
  void onAnswered(InviteSession&, const Message&) override { events.push_back("answered"); }
  void onConfirmed(InviteSession&) override { events.push_back("confirmed"); }
  void onPrack(InviteSession&, const Message&) override { events.push_back("prack"); }
  void onBodyParts(InviteSession&, const Message& m, const MultipartBody& parts) override {
    events.push_back((m.isRequest() ? std::string(m.method()) : std::to_string(m.statusCode())) + " parts " +
                     std::to_string(parts.parts.size()));
  }
  void onInfo(InviteSession&, const Message&, std::string_view pkg) override {
    events.push_back(pkg.empty() ? std::string("info") : "info " + std::string(pkg));
  }
  void onPreconditionsMet(InviteSession&) override { events.push_back("preconditions met"); }
  void onReinviteResult(InviteSession&, const Message& r) override {
    events.push_back("reinvite " + std::to_string(r.statusCode()));
  }
  void onTerminated(InviteSession& s, EndReason why, std::uint16_t code) override {
    events.push_back("terminated " + std::string(toString(why)) + " " + std::to_string(code));
    endReason = why;
    endCode = code;
    endRemoteReason = s.remoteReason();
    if (last == &s) last = nullptr;
  }

  void receive(const std::string& bytes, const Source& src = udpPeer()) {
    // As the transport delivers: parsed once into a shared box (MessageRef) that whoever
    // keeps the message shares; the box is released when this call returns.
    auto rx = MessageRef::parse(bytes);
    ASSERT_TRUE(rx) << bytes;
    ua.transactions().onMessage(rx->mutableMessage(), src);
  }
  // Copies of net.sent that never move (net.sent reallocates as the UA sends more), so
  // pointers and parsed Messages stay valid for the whole test.
  const std::deque<Sent>& stable() const {
    while (stable_.size() < net.sent.size()) stable_.push_back(net.sent[stable_.size()]);
    return stable_;
  }
  mutable std::deque<Sent> stable_;

  // Sent messages with this status (responses) or method (requests).
  std::vector<const Sent*> sentWith(std::uint16_t status) const {
    std::vector<const Sent*> v;
    for (const Sent& s : stable()) {
      if (s.status() == status) v.push_back(&s);
    }
    return v;
  }
  std::vector<const Sent*> sentWith(std::string_view method) const {
    std::vector<const Sent*> v;
    for (const Sent& s : stable()) {
      if (s.status() == 0 && s.method() == method) v.push_back(&s);
    }
    return v;
  }
  static Message parsed(const Sent* s) {
    auto m = parseMessage(s->bytes);
    EXPECT_TRUE(m.ok()) << s->bytes;
    return std::move(*m);
  }
  bool has(std::string_view e) const {
    for (const auto& x : events) {
      if (x == e) return true;
    }
    return false;
  }
};

// A message from the peer (192.0.2.10) in the incoming call "in-1".
inline std::string peerRequest(std::string_view method, std::uint32_t cseq, std::string_view toTag,
                               std::string_view branch, std::string_view extra = "",
                               std::string_view body = "", std::string_view cseqMethod = "",
                               std::string_view ctype = "application/sdp") {
  std::string s;
  s.append(method).append(" sip:+15551234@10.0.0.1 SIP/2.0\r\n");
  s.append("Via: SIP/2.0/UDP 192.0.2.10:5060;branch=").append(branch).append("\r\n");
  s.append("Max-Forwards: 70\r\n");
  s.append("From: <sip:alice@192.0.2.10>;tag=alice1\r\n");
  s.append("To: <sip:+15551234@gw.example.net>");
  if (!toTag.empty()) s.append(";tag=").append(toTag);
  s.append("\r\nCall-ID: in-1@192.0.2.10\r\n");
  s.append("CSeq: ").append(std::to_string(cseq)).append(" ").append(cseqMethod.empty() ? method : cseqMethod).append("\r\n");
  s.append("Contact: <sip:alice@192.0.2.10:5060>\r\n");
  s.append(extra);
  if (!body.empty()) s.append("Content-Type: ").append(ctype).append("\r\n");
  s.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n").append(body);
  return s;
}

// --- UAC side: our INVITE to bob at 192.0.2.20 and the peer's responses.
inline const Destination kDst{TransportType::Udp, *Endpoint::fromIp("192.0.2.20", 5060), 0};
inline const Source kFrom{TransportType::Udp, *Endpoint::fromIp("192.0.2.20", 5060), *Endpoint::fromIp("10.0.0.1", 5060), 7};

// The peer's response to our (parsed) INVITE.
inline std::string reply(const Message& inv, std::uint16_t code, std::string_view tag, std::string_view extra = "",
                  std::string_view body = "", std::string_view contact = "<sip:bob@192.0.2.20:5062>",
                  std::string_view ctype = "application/sdp") {
  std::string out;
  MessageBuilder b(out);
  appendResponseFor(b, inv, code, "X", tag);
  if (!contact.empty() && code > 100 && code < 300) b.header(HeaderId::Contact, contact);
  std::string_view rest = extra;
  while (!rest.empty()) {
    auto eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest = rest.substr(eol + 2);
    auto c = line.find(": ");
    b.header(line.substr(0, c), line.substr(c + 2));
  }
  b.finish(body, body.empty() ? "" : ctype);
  return out;
}

struct Uac : UaHarness {
  InviteSession* s = nullptr;
  Message inv;
  explicit Uac(std::string_view sdp = kOffer, UaConfig cfg = {}, TransactionConfig txnCfg = {})
      : UaHarness(std::move(cfg), txnCfg) {
    s = ua.invite("sip:bob@192.0.2.20", kDst, "sip:gw@10.0.0.1", "sip:bob@192.0.2.20", sdp);
    EXPECT_NE(s, nullptr);
    inv = parsed(sentWith("INVITE").at(0));
  }
  // The peer's response to one of our in-dialog requests.
  void rxTo(const Sent* req, std::uint16_t code, std::string_view extra = "", std::string_view body = "",
            std::string_view contact = "<sip:bob@192.0.2.20:5062>") {
    receive(reply(parsed(req), code, "", extra, body, contact), kFrom);
  }
  void rx(std::uint16_t code, std::string_view tag, std::string_view extra = "", std::string_view body = "",
          std::string_view contact = "<sip:bob@192.0.2.20:5062>") {
    receive(reply(inv, code, tag, extra, body, contact), kFrom);
  }
};

}  // namespace siptgw::sip::testing
