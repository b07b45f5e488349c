// RFC 3261 §17 transaction layer (with RFC 4320 and RFC 6026): every row of the transition
// table, every timer with its exact retransmission schedule, matching, absorption, merged
// requests, ACK and CANCEL construction — on a manual clock, against a fake transport.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "sip/message_builder.h"
#include "sip/timers.h"
#include "sip/transaction.h"
#include "transaction_test_util.h"

namespace siptgw::sip {
namespace {

using testing::Harness;
using testing::outRequest;
using testing::request;
using testing::response;
using testing::tcpDest;
using testing::tcpPeer;
using testing::udpDest;
using testing::udpPeer;

using Times = std::vector<std::uint64_t>;

// A terminated transaction is deleted as soon as the clock runs posted work: gone counts
// as Terminated.
TxnState stateOf(Harness& h, TxnId id) {
  Transaction* t = h.layer.find(id);
  return t == nullptr ? TxnState::Terminated : t->state();
}

std::string respondTo(const Transaction& t, std::uint16_t code, std::string_view reason,
                      std::string_view toTag = "uas1") {
  std::string s;
  MessageBuilder b(s);
  appendResponseFor(b, t.request(), code, reason, code == 100 ? std::string_view() : toTag);
  b.finish();
  return s;
}

TxnId startClient(Harness& h, std::string_view method, std::string_view branch,
                  Destination dst = udpDest()) {
  auto r = h.layer.sendRequest(outRequest(method, branch, dst.transport == TransportType::Udp ? "UDP" : "TCP"), dst);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : 0;
}

// ------------------------------------------------------------------ INVITE client

void inviteClientTimerAandB() {
  Harness h;
  TxnId id = startClient(h, "INVITE", "z9hG4bKa1");
  EXPECT_EQ(stateOf(h, id), TxnState::Calling);
  h.clock.advance(31999);
  // A starts at T1 and doubles without a cap (§17.1.1.2) until B = 64·T1.
  EXPECT_EQ(h.sendTimes(), (Times{0, 500, 1500, 3500, 7500, 15500, 31500}));
  EXPECT_EQ(h.layer.stats().requestRetransmits, 6u);  // the first send is no retransmission
  EXPECT_EQ(h.layer.stats().responseRetransmits, 0u);
  EXPECT_TRUE(h.tu.events.empty());
  h.clock.advance(1);
  EXPECT_EQ(h.tu.events, (std::vector<std::string>{"failure timeout", "terminated"}));
  EXPECT_EQ(h.tu.lastFailureStatus, 408);
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
  h.clock.runUntilIdle();
  EXPECT_EQ(h.layer.find(id), nullptr);
  EXPECT_EQ(h.layer.size(), 0u);
}

void inviteClientReliableNoRetransmit() {
  Harness h;
  startClient(h, "INVITE", "z9hG4bKa2", tcpDest());
  h.clock.advance(32000);
  EXPECT_EQ(h.sendTimes(), (Times{0}));
  EXPECT_EQ(h.layer.stats().requestRetransmits, 0u);
  EXPECT_TRUE(h.hasEvent("failure timeout"));
}

void inviteClientProceedingThenReject() {
  Harness h;
  TxnId id = startClient(h, "INVITE", "z9hG4bKa3");
  h.clock.advance(600);  // one retransmission at 500
  h.receive(response(180, "z9hG4bKa3", "INVITE"), udpPeer());
  EXPECT_EQ(stateOf(h, id), TxnState::Proceeding);
  h.receive(response(183, "z9hG4bKa3", "INVITE"), udpPeer());
  h.clock.advance(40000);  // A and B are stopped in Proceeding
  EXPECT_EQ(h.net.sent.size(), 2u);
  EXPECT_EQ(stateOf(h, id), TxnState::Proceeding);
  h.receive(response(486, "z9hG4bKa3", "INVITE"), udpPeer());
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  ASSERT_EQ(h.net.sent.size(), 3u);
  EXPECT_EQ(h.net.sent[2].method(), "ACK");
  EXPECT_EQ(h.tu.events, (std::vector<std::string>{"response 180", "response 183", "response 486"}));
  // A retransmitted final response is absorbed: ACK again, nothing to the TU.
  h.receive(response(486, "z9hG4bKa3", "INVITE"), udpPeer());
  EXPECT_EQ(h.net.sent.size(), 4u);
  EXPECT_EQ(h.net.sent[3].bytes, h.net.sent[2].bytes);
  EXPECT_EQ(h.tu.events.size(), 3u);
  // Timer D: 32 s on UDP.
  h.clock.advance(31999);
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.clock.advance(1);
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
}

void inviteClientAckContents() {
  Harness h;
  startClient(h, "INVITE", "z9hG4bKack");
  h.receive(response(603, "z9hG4bKack", "INVITE", "rej9"), udpPeer());
  ASSERT_EQ(h.net.sent.size(), 2u);
  auto ack = parseMessage(h.net.sent[1].bytes);
  ASSERT_TRUE(ack.ok()) << h.net.sent[1].bytes;
  // §17.1.1.3: Request-URI, Call-ID, From, CSeq number, one Via equal to the INVITE's top
  // Via, To of the response, the INVITE's Route.
  EXPECT_EQ(ack->method(), "ACK");
  EXPECT_EQ(ack->requestUriText(), "sip:bob@192.0.2.20");
  EXPECT_EQ(ack->count(HeaderId::Via), 1u);
  EXPECT_EQ(ack->topVia()->branch, "z9hG4bKack");
  EXPECT_EQ(ack->to()->tag, "rej9");
  EXPECT_EQ(ack->from()->tag, "gw1");
  EXPECT_EQ(*ack->callId(), "out-1@10.0.0.1");
  EXPECT_EQ(ack->cseq()->number, 1u);
  EXPECT_EQ(ack->cseq()->method, "ACK");
  EXPECT_EQ(ack->find(HeaderId::Route)->value, "<sip:proxy.example.net;lr>");
  EXPECT_EQ(*ack->maxForwards(), 70u);
  EXPECT_EQ(ack->body(), "");
  EXPECT_EQ(h.net.sent[1].dst.remote, udpDest().remote);
}

void inviteClientAccepted() {
  Harness h;
  TxnId id = startClient(h, "INVITE", "z9hG4bKa4");
  h.receive(response(200, "z9hG4bKa4", "INVITE"), udpPeer());
  EXPECT_EQ(stateOf(h, id), TxnState::Accepted);
  // RFC 6026 §7.2: 2xx retransmissions (and 2xx from other forks) go to the TU.
  h.clock.advance(500);
  h.receive(response(200, "z9hG4bKa4", "INVITE"), udpPeer());
  h.receive(response(200, "z9hG4bKa4", "INVITE", "fork2"), udpPeer());
  EXPECT_EQ(h.countEvent("response 200"), 3u);
  EXPECT_EQ(h.net.sent.size(), 1u);  // the transaction sends no ACK for 2xx
  h.clock.advance(31499);
  EXPECT_EQ(stateOf(h, id), TxnState::Accepted);
  h.clock.advance(1);  // Timer M = 64·T1 after the first 2xx
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
  h.clock.runUntilIdle();
  h.receive(response(200, "z9hG4bKa4", "INVITE"), udpPeer());
  EXPECT_TRUE(h.hasEvent("stray 200"));
  EXPECT_EQ(h.layer.stats().strayResponses, 1u);
}

void inviteClientTransportErrors() {
  {
    Harness h;
    TxnId id = startClient(h, "INVITE", "z9hG4bKa5");
    h.layer.onSendFailed(id, TransportErrc::ConnectFailed);
    EXPECT_EQ(h.tu.events, (std::vector<std::string>{"failure transport", "terminated"}));
    EXPECT_EQ(h.tu.lastFailureStatus, 503);  // §8.1.3.1
  }
  {
    Harness h;
    TxnId id = startClient(h, "INVITE", "z9hG4bKa6");
    h.receive(response(500, "z9hG4bKa6", "INVITE"), udpPeer());
    h.layer.onSendFailed(id, TransportErrc::SendFailed);  // the ACK could not be sent
    EXPECT_TRUE(h.hasEvent("failure transport"));
    EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
  }
  {
    Harness h;
    h.net.failAll = true;
    auto r = h.layer.sendRequest(outRequest("INVITE", "z9hG4bKa7"), udpDest());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), TxnError::Transport);
    EXPECT_EQ(h.layer.size(), 0u);
  }
}

void inviteClientReliableTimerD() {
  Harness h;
  TxnId id = startClient(h, "INVITE", "z9hG4bKa8", tcpDest());
  h.receive(response(404, "z9hG4bKa8", "INVITE"), testing::tcpPeer());
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.clock.runUntilIdle();  // D = 0 on reliable transports
  EXPECT_EQ(h.layer.find(id), nullptr);
}

// -------------------------------------------------------------- non-INVITE client

void nonInviteClientTimerEandF() {
  Harness h;
  TxnId id = startClient(h, "OPTIONS", "z9hG4bKn1");
  h.clock.advance(31999);
  // E doubles from T1 up to T2 = 4 s (§17.1.2.2).
  EXPECT_EQ(h.sendTimes(),
            (Times{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}));
  EXPECT_EQ(h.layer.stats().requestRetransmits, 10u);
  h.clock.advance(1);
  EXPECT_EQ(h.tu.events, (std::vector<std::string>{"failure timeout", "terminated"}));
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
}

void nonInviteClientProceeding() {
  Harness h;
  TxnId id = startClient(h, "BYE", "z9hG4bKn2");
  h.clock.advance(600);  // sends at 0 and 500; E is now 1000 (due at 1500)
  h.receive(response(100, "z9hG4bKn2", "BYE", ""), udpPeer());
  EXPECT_EQ(stateOf(h, id), TxnState::Proceeding);
  h.receive(response(100, "z9hG4bKn2", "BYE", ""), udpPeer());
  h.clock.advance(10000);  // at 1500, then every T2 in Proceeding: 5500, 9500
  EXPECT_EQ(h.sendTimes(), (Times{0, 500, 1500, 5500, 9500}));
  h.receive(response(200, "z9hG4bKn2", "BYE"), udpPeer());
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.clock.advance(30000);
  EXPECT_EQ(h.net.sent.size(), 5u);  // E stopped in Completed
  EXPECT_EQ(h.layer.find(id), nullptr);
  EXPECT_EQ(h.tu.events, (std::vector<std::string>{"response 100", "response 100", "response 200", "terminated"}));
}

void nonInviteClientCompletedTimerK() {
  Harness h;
  TxnId id = startClient(h, "OPTIONS", "z9hG4bKn3");
  h.receive(response(404, "z9hG4bKn3", "OPTIONS"), udpPeer());
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.receive(response(404, "z9hG4bKn3", "OPTIONS"), udpPeer());  // absorbed
  EXPECT_EQ(h.countEvent("response 404"), 1u);
  EXPECT_EQ(h.layer.stats().retransmissionsAbsorbed, 1u);
  h.clock.advance(4999);
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.clock.advance(1);  // K = T4 on UDP
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);

  Harness r;
  TxnId rid = startClient(r, "OPTIONS", "z9hG4bKn4", tcpDest());
  r.receive(response(200, "z9hG4bKn4", "OPTIONS"), tcpPeer());
  r.clock.runUntilIdle();  // K = 0 on reliable transports
  EXPECT_EQ(r.layer.find(rid), nullptr);
}

void nonInviteClientTransportError() {
  Harness h;
  TxnId a = startClient(h, "OPTIONS", "z9hG4bKn5");
  h.layer.onSendFailed(a, TransportErrc::ConnectionLost);
  EXPECT_TRUE(h.hasEvent("failure transport"));
  TxnId b = startClient(h, "OPTIONS", "z9hG4bKn6");
  h.receive(response(180 - 80, "z9hG4bKn6", "OPTIONS", ""), udpPeer());
  h.layer.onSendFailed(b, TransportErrc::ConnectionLost);
  EXPECT_EQ(stateOf(h, b), TxnState::Terminated);
  TxnId c = startClient(h, "OPTIONS", "z9hG4bKn7");
  h.receive(response(100, "z9hG4bKn7", "OPTIONS", ""), udpPeer());
  h.clock.advance(32000);  // F in Proceeding
  EXPECT_EQ(h.layer.find(c), nullptr);
  EXPECT_EQ(h.countEvent("failure timeout"), 1u);
  // A Timer E retransmission that the transport refuses ends the transaction too.
  TxnId d = startClient(h, "OPTIONS", "z9hG4bKn8");
  h.net.failAll = true;
  h.clock.advance(500);
  EXPECT_EQ(stateOf(h, d), TxnState::Terminated);
}

void clientRequestErrors() {
  Harness h;
  EXPECT_EQ(h.layer.sendRequest(outRequest("OPTIONS", "abc"), udpDest()).error(), TxnError::NoMagicCookie);
  EXPECT_EQ(h.layer.sendRequest(outRequest("ACK", "z9hG4bKx"), udpDest()).error(), TxnError::NotAllowed);
  EXPECT_EQ(h.layer.sendRequest("garbage", udpDest()).error(), TxnError::BadMessage);
  startClient(h, "OPTIONS", "z9hG4bKdup");
  EXPECT_EQ(h.layer.sendRequest(outRequest("OPTIONS", "z9hG4bKdup"), udpDest()).error(),
            TxnError::DuplicateBranch);
  std::string b1 = h.layer.newBranch();
  std::string b2 = h.layer.newBranch();
  EXPECT_TRUE(b1.starts_with("z9hG4bK"));
  EXPECT_EQ(b1.size(), 23u);
  EXPECT_NE(b1, b2);
  EXPECT_EQ(h.layer.viaFor(udpDest(), "z9hG4bKq"), "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKq;rport");
  EXPECT_EQ(h.layer.viaFor(tcpDest(), "z9hG4bKq"), "SIP/2.0/TCP 10.0.0.1:5062;branch=z9hG4bKq");
}

// §18.1.1: a request larger than MTU − 200 for UDP leaves over TCP with a TCP Via, and so
// without Timer A retransmissions.
void largeRequestSwitchesToTcp() {
  Harness h;
  std::string body(1400, 'x');
  auto r = h.layer.sendRequest(outRequest("INVITE", "z9hG4bKbig", "UDP", "Content-Type: text/plain\r\n", body), udpDest());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(h.net.sent.size(), 1u);
  EXPECT_EQ(h.net.sent[0].dst.transport, TransportType::Tcp);
  EXPECT_EQ(h.net.sent[0].dst.remote, udpDest().remote);
  auto m = parseMessage(h.net.sent[0].bytes);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->topVia()->transport, "TCP");
  EXPECT_EQ(m->topVia()->host, "10.0.0.1");
  EXPECT_EQ(m->topVia()->port, 5062);
  EXPECT_EQ(m->topVia()->branch, "z9hG4bKbig");
  EXPECT_EQ(m->body().size(), 1400u);
  EXPECT_TRUE(h.layer.find(*r)->reliable());
  h.clock.advance(10000);
  EXPECT_EQ(h.net.sent.size(), 1u);
  // Just under the limit: stays on UDP.
  Harness s;
  std::string small = outRequest("OPTIONS", "z9hG4bKsmall");
  small.insert(small.find("Content-Length"), "X-Pad: " + std::string(1300 - small.size() - 9, 'p') + "\r\n");
  ASSERT_EQ(small.size(), 1300u);
  ASSERT_TRUE(s.layer.sendRequest(small, udpDest()).ok());
  EXPECT_EQ(s.net.sent[0].dst.transport, TransportType::Udp);
}

void cancelForInvite() {
  Harness h;
  TxnId inv = startClient(h, "INVITE", "z9hG4bKc1");
  h.receive(response(180, "z9hG4bKc1", "INVITE"), udpPeer());
  auto c = h.layer.sendCancel(inv);
  ASSERT_TRUE(c.ok());
  auto m = parseMessage(h.net.sent.back().bytes);
  ASSERT_TRUE(m.ok());
  // §9.1: same Request-URI, Call-ID, To, From, CSeq number, and Via (so the same branch).
  EXPECT_EQ(m->method(), "CANCEL");
  EXPECT_EQ(m->requestUriText(), "sip:bob@192.0.2.20");
  EXPECT_EQ(m->topVia()->branch, "z9hG4bKc1");
  EXPECT_EQ(m->cseq()->number, 1u);
  EXPECT_EQ(m->cseq()->method, "CANCEL");
  EXPECT_EQ(m->to()->tag, "");
  // Responses to the CANCEL and the INVITE are matched by method as well as branch.
  h.receive(response(200, "z9hG4bKc1", "CANCEL"), udpPeer());
  EXPECT_EQ(h.layer.find(*c)->state(), TxnState::Completed);
  EXPECT_EQ(stateOf(h, inv), TxnState::Proceeding);
  h.receive(response(487, "z9hG4bKc1", "INVITE"), udpPeer());
  EXPECT_EQ(stateOf(h, inv), TxnState::Completed);
  EXPECT_EQ(h.layer.sendCancel(inv).error(), TxnError::WrongState);
  EXPECT_EQ(h.layer.sendCancel(12345).error(), TxnError::NoSuchTransaction);
}

// §9.1: "If there is no final response for the original request in 64*T1 seconds ..., the
// client SHOULD then consider the original transaction cancelled and SHOULD destroy the
// client transaction handling the original request." Without it a peer that never answers
// the INVITE after our CANCEL (or never answers the CANCEL) holds the call forever.
void cancelledInviteGivesUp() {
  Harness h;
  TxnId inv = startClient(h, "INVITE", "z9hG4bKc2");
  h.clock.advance(10000);
  h.receive(response(180, "z9hG4bKc2", "INVITE"), udpPeer());  // Timer B stops here
  h.clock.advance(60000);
  EXPECT_EQ(stateOf(h, inv), TxnState::Proceeding);  // uncancelled: waits as long as it takes
  ASSERT_TRUE(h.layer.sendCancel(inv).ok());
  h.receive(response(200, "z9hG4bKc2", "CANCEL"), udpPeer());
  h.clock.advance(20000);
  h.receive(response(183, "z9hG4bKc2", "INVITE"), udpPeer());  // a 1xx does not stop the wait
  h.tu.events.clear();
  h.clock.advance(64 * 500 - 20000 - 1);
  EXPECT_EQ(stateOf(h, inv), TxnState::Proceeding);
  EXPECT_TRUE(h.tu.events.empty());
  h.clock.advance(1);
  EXPECT_EQ(h.tu.events, (std::vector<std::string>{"failure timeout", "terminated"}));
  EXPECT_EQ(h.layer.find(inv), nullptr);

  // A CANCEL sent in Calling (allowed by the layer, though §9.1 has the UA wait for a 1xx)
  // moves the wait to 64·T1 after the CANCEL, and a 1xx then does not stop it.
  TxnId inv2 = startClient(h, "INVITE", "z9hG4bKc3");
  h.clock.advance(20000);
  ASSERT_TRUE(h.layer.sendCancel(inv2).ok());
  h.receive(response(200, "z9hG4bKc3", "CANCEL"), udpPeer());
  h.receive(response(180, "z9hG4bKc3", "INVITE"), udpPeer());
  h.clock.advance(64 * 500 - 1);
  EXPECT_EQ(stateOf(h, inv2), TxnState::Proceeding);
  h.tu.events.clear();
  h.clock.advance(1);
  EXPECT_EQ(h.tu.events, (std::vector<std::string>{"failure timeout", "terminated"}));
}

// ------------------------------------------------------------------ INVITE server

void inviteServerRejectTimerGandH() {
  Harness h;
  h.receive(request("INVITE", "z9hG4bKs1"), udpPeer());
  // §17.2.1: 100 Trying at once, to the Via's address.
  ASSERT_EQ(h.net.sent.size(), 1u);
  EXPECT_EQ(h.net.sent[0].status(), 100);
  EXPECT_EQ(h.net.sent[0].dst.remote, *Endpoint::fromIp("192.0.2.10", 5060));
  EXPECT_EQ(h.net.sent[0].dst.connection, 7u);
  auto trying = parseMessage(h.net.sent[0].bytes);
  ASSERT_TRUE(trying.ok());
  EXPECT_EQ(trying->to()->tag, "");
  EXPECT_EQ(h.tu.events, (std::vector<std::string>{"request INVITE"}));
  TxnId id = h.tu.lastServer;
  Transaction* t = h.layer.find(id);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(stateOf(h, id), TxnState::Proceeding);

  // A retransmitted INVITE gets the last provisional again, and is not passed up.
  h.receive(request("INVITE", "z9hG4bKs1"), udpPeer());
  EXPECT_EQ(h.net.sent.size(), 2u);
  EXPECT_EQ(h.net.sent[1].bytes, h.net.sent[0].bytes);
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 180, "Ringing")).ok());
  h.receive(request("INVITE", "z9hG4bKs1"), udpPeer());
  EXPECT_EQ(h.net.sent[3].status(), 180);
  EXPECT_EQ(h.tu.events.size(), 1u);

  const std::size_t before = h.net.sent.size();
  const std::uint64_t t0 = h.clock.nowMs();
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 486, "Busy Here")).ok());
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  EXPECT_EQ(h.layer.respond(id, respondTo(*t, 500, "Late")).error(), TxnError::WrongState);
  h.clock.advance(31999);
  // G doubles from T1 up to T2 (§17.2.1).
  EXPECT_EQ(h.sendTimes(before), (Times{t0, t0 + 500, t0 + 1500, t0 + 3500, t0 + 7500, t0 + 11500,
                                        t0 + 15500, t0 + 19500, t0 + 23500, t0 + 27500, t0 + 31500}));
  for (std::size_t i = before; i < h.net.sent.size(); ++i) EXPECT_EQ(h.net.sent[i].status(), 486);
  EXPECT_EQ(h.layer.stats().responseRetransmits, 10u);  // by G; answers to retransmitted
  EXPECT_EQ(h.layer.stats().retransmissionsAbsorbed, 2u);  // INVITEs are counted as absorbed
  EXPECT_EQ(h.layer.stats().requestRetransmits, 0u);
  // Retransmitted INVITE in Completed: the final response again.
  h.receive(request("INVITE", "z9hG4bKs1"), udpPeer());
  EXPECT_EQ(h.net.sent.back().status(), 486);
  h.clock.advance(1);  // H = 64·T1
  EXPECT_TRUE(h.hasEvent("failure noack"));
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
}

void inviteServerConfirmed() {
  Harness h;
  h.receive(request("INVITE", "z9hG4bKs2"), udpPeer());
  TxnId id = h.tu.lastServer;
  Transaction* t = h.layer.find(id);
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 404, "Not Found", "nf1")).ok());
  h.clock.advance(600);  // G once at 500
  const std::size_t sent = h.net.sent.size();
  h.receive(request("ACK", "z9hG4bKs2", "SIP/2.0/UDP 192.0.2.10:5060", "ft1", "nf1"), udpPeer());
  EXPECT_EQ(stateOf(h, id), TxnState::Confirmed);
  h.receive(request("ACK", "z9hG4bKs2", "SIP/2.0/UDP 192.0.2.10:5060", "ft1", "nf1"), udpPeer());
  EXPECT_FALSE(h.hasEvent("ack"));  // absorbed
  h.clock.advance(4999);
  EXPECT_EQ(h.net.sent.size(), sent);  // G stopped
  EXPECT_EQ(stateOf(h, id), TxnState::Confirmed);
  h.clock.advance(1);  // I = T4
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
  EXPECT_FALSE(h.hasEvent("failure noack"));
}

void inviteServerReliable() {
  Harness h;
  h.receive(request("INVITE", "z9hG4bKs3", "SIP/2.0/TCP 192.0.2.10:5060"), tcpPeer());
  TxnId id = h.tu.lastServer;
  Transaction* t = h.layer.find(id);
  EXPECT_EQ(h.net.sent[0].dst.connection, 9u);
  EXPECT_EQ(h.net.sent[0].dst.transport, TransportType::Tcp);
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 480, "Unavailable")).ok());
  h.clock.advance(20000);
  EXPECT_EQ(h.net.sent.size(), 2u);  // no G over TCP
  h.receive(request("ACK", "z9hG4bKs3", "SIP/2.0/TCP 192.0.2.10:5060", "ft1", "uas1"), tcpPeer());
  h.clock.runUntilIdle();  // I = 0
  EXPECT_EQ(h.layer.find(id), nullptr);
}

void inviteServerAccepted() {
  Harness h;
  h.receive(request("INVITE", "z9hG4bKs4"), udpPeer());
  TxnId id = h.tu.lastServer;
  Transaction* t = h.layer.find(id);
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 200, "OK")).ok());
  EXPECT_EQ(stateOf(h, id), TxnState::Accepted);
  EXPECT_EQ(h.net.sent.size(), 2u);
  // RFC 6026 §7.1: INVITE retransmissions absorbed without a response and not passed up;
  // 2xx retransmissions come from the TU; an ACK that matches goes to the TU.
  h.receive(request("INVITE", "z9hG4bKs4"), udpPeer());
  EXPECT_EQ(h.net.sent.size(), 2u);
  EXPECT_EQ(h.countEvent("request INVITE"), 1u);
  h.clock.advance(500);
  EXPECT_EQ(h.net.sent.size(), 2u);  // the transaction never retransmits a 2xx itself
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 200, "OK")).ok());
  EXPECT_EQ(h.net.sent.size(), 3u);
  EXPECT_EQ(h.layer.respond(id, respondTo(*t, 180, "Ringing")).error(), TxnError::WrongState);
  h.receive(request("ACK", "z9hG4bKs4", "SIP/2.0/UDP 192.0.2.10:5060", "ft1", "uas1"), udpPeer());
  EXPECT_EQ(h.countEvent("ack"), 1u);
  h.layer.onSendFailed(id, TransportErrc::SendFailed);
  EXPECT_EQ(stateOf(h, id), TxnState::Accepted);
  EXPECT_TRUE(h.hasEvent("failure transport"));
  // The ACK for a 2xx normally has its own branch: no transaction, straight to the TU.
  h.receive(request("ACK", "z9hG4bKother", "SIP/2.0/UDP 192.0.2.10:5060", "ft1", "uas1"), udpPeer());
  EXPECT_EQ(h.countEvent("ack"), 2u);
  h.clock.advance(31499);
  EXPECT_EQ(stateOf(h, id), TxnState::Accepted);
  h.clock.advance(1);  // L = 64·T1 from the first 2xx
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
}

void inviteServerDelayed100() {
  TransactionConfig cfg;
  cfg.invite100DelayMs = 200;
  {
    Harness h(cfg);
    h.receive(request("INVITE", "z9hG4bKs5"), udpPeer());
    EXPECT_TRUE(h.net.sent.empty());
    h.clock.advance(199);
    EXPECT_TRUE(h.net.sent.empty());
    h.clock.advance(1);
    ASSERT_EQ(h.net.sent.size(), 1u);
    EXPECT_EQ(h.net.sent[0].status(), 100);
  }
  {
    Harness h(cfg);
    h.tu.onReq = [&](Transaction& t, const Message&) {
      ASSERT_TRUE(h.layer.respond(t.id(), respondTo(t, 180, "Ringing")).ok());
    };
    h.receive(request("INVITE", "z9hG4bKs6"), udpPeer());
    h.clock.advance(1000);
    ASSERT_EQ(h.net.sent.size(), 1u);  // the TU's 180 made the 100 unnecessary
    EXPECT_EQ(h.net.sent[0].status(), 180);
  }
}

// §17.2.1: no 100 Trying when the TU knows its response: one it sends while handling the
// INVITE (delay 0) makes the 100 unnecessary.
void inviteServer100OnlyForASilentTu() {
  for (std::uint16_t code : {180, 486, 200}) {
    Harness h;
    h.tu.onReq = [&](Transaction& t, const Message&) {
      EXPECT_TRUE(h.net.sent.empty());  // the TU answers before any 100 went out
      ASSERT_TRUE(h.layer.respond(t.id(), respondTo(t, code, "Now")).ok());
    };
    h.receive(request("INVITE", "z9hG4bKs9"), udpPeer());
    ASSERT_EQ(h.net.sent.size(), 1u) << code;
    EXPECT_EQ(h.net.sent[0].status(), code);
    // A retransmission of the INVITE gets the TU's response again, never a 100.
    h.receive(request("INVITE", "z9hG4bKs9"), udpPeer());
    if (code != 200) {  // a 2xx is the TU's to resend (§13.3.1.4)
      ASSERT_EQ(h.net.sent.size(), 2u) << code;
      EXPECT_EQ(h.net.sent[1].status(), code);
    } else {
      EXPECT_EQ(h.net.sent.size(), 1u);
    }
  }
  // A TU that takes the INVITE without answering gets its 100 as the handling returns.
  Harness h;
  std::size_t sentDuringTu = 99;
  h.tu.onReq = [&](Transaction&, const Message&) { sentDuringTu = h.net.sent.size(); };
  h.receive(request("INVITE", "z9hG4bKs10"), udpPeer());
  EXPECT_EQ(sentDuringTu, 0u);
  ASSERT_EQ(h.net.sent.size(), 1u);
  EXPECT_EQ(h.net.sent[0].status(), 100);
  // A 100 that cannot be sent ends the transaction and tells the TU, which has seen the INVITE.
  h.net.failAll = true;
  h.receive(request("INVITE", "z9hG4bKs11", "SIP/2.0/UDP 192.0.2.10:5060", "ft3"), udpPeer());
  EXPECT_EQ(stateOf(h, h.tu.lastServer), TxnState::Terminated);
  EXPECT_EQ(h.countEvent("failure transport"), 1u);
}

void inviteServerTransportErrors() {
  Harness h;
  h.receive(request("INVITE", "z9hG4bKs7"), udpPeer());
  TxnId a = h.tu.lastServer;
  h.layer.onSendFailed(a, TransportErrc::ConnectionLost);  // the 100 was lost (Proceeding)
  EXPECT_EQ(stateOf(h, a), TxnState::Terminated);
  h.receive(request("INVITE", "z9hG4bKs8"), udpPeer());
  TxnId b = h.tu.lastServer;
  ASSERT_TRUE(h.layer.respond(b, respondTo(*h.layer.find(b), 503, "Busy")).ok());
  h.layer.onSendFailed(b, TransportErrc::ConnectionLost);
  EXPECT_EQ(stateOf(h, b), TxnState::Terminated);
  EXPECT_EQ(h.countEvent("failure transport"), 2u);
  EXPECT_EQ(h.layer.respond(b, "SIP/2.0 200 OK\r\n\r\n").error(), TxnError::NoSuchTransaction);
}

// ------------------------------------------------------------- non-INVITE server

void nonInviteServerBasic() {
  Harness h;
  h.receive(request("OPTIONS", "z9hG4bKo1"), udpPeer());
  EXPECT_TRUE(h.net.sent.empty());  // no 100 for non-INVITE (RFC 4320)
  TxnId id = h.tu.lastServer;
  Transaction* t = h.layer.find(id);
  EXPECT_EQ(stateOf(h, id), TxnState::Trying);
  h.receive(request("OPTIONS", "z9hG4bKo1"), udpPeer());  // Trying: discarded
  EXPECT_TRUE(h.net.sent.empty());
  EXPECT_EQ(h.countEvent("request OPTIONS"), 1u);
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 200, "OK")).ok());
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.receive(request("OPTIONS", "z9hG4bKo1"), udpPeer());
  ASSERT_EQ(h.net.sent.size(), 2u);
  EXPECT_EQ(h.net.sent[1].bytes, h.net.sent[0].bytes);
  EXPECT_EQ(h.layer.respond(id, respondTo(*t, 200, "OK")).error(), TxnError::WrongState);
  h.clock.advance(31999);
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.clock.advance(1);  // J = 64·T1 on UDP
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);

  Harness r;
  r.receive(request("OPTIONS", "z9hG4bKo2", "SIP/2.0/TCP 192.0.2.10:5060"), tcpPeer());
  TxnId rid = r.tu.lastServer;
  ASSERT_TRUE(r.layer.respond(rid, respondTo(*r.layer.find(rid), 200, "OK")).ok());
  r.clock.runUntilIdle();  // J = 0
  EXPECT_EQ(r.layer.find(rid), nullptr);
}

void nonInviteServerRfc4320() {
  Harness h;
  h.receive(request("REGISTER", "z9hG4bKo3"), udpPeer());
  TxnId id = h.tu.lastServer;
  Transaction* t = h.layer.find(id);
  EXPECT_EQ(h.layer.respond(id, respondTo(*t, 408, "Request Timeout")).error(), TxnError::Forbidden408);
  EXPECT_EQ(h.layer.respond(id, respondTo(*t, 183, "Progress")).error(), TxnError::ProvisionalToNonInvite);
  h.clock.advance(3499);
  EXPECT_EQ(h.layer.respond(id, respondTo(*t, 100, "Trying")).error(), TxnError::Early100);
  h.clock.advance(1);  // Timer E of the client has reached T2: 500+1000+2000
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 100, "Trying")).ok());
  EXPECT_EQ(stateOf(h, id), TxnState::Proceeding);
  h.receive(request("REGISTER", "z9hG4bKo3"), udpPeer());
  ASSERT_EQ(h.net.sent.size(), 2u);
  EXPECT_EQ(h.net.sent[1].status(), 100);
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 100, "Trying")).ok());
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 403, "Forbidden")).ok());
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.layer.onSendFailed(id, TransportErrc::SendFailed);
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);

  // Over TCP the 100 may go at once.
  Harness r;
  r.receive(request("REGISTER", "z9hG4bKo4", "SIP/2.0/TCP 192.0.2.10:5060"), tcpPeer());
  EXPECT_TRUE(r.layer.respond(r.tu.lastServer, respondTo(*r.layer.find(r.tu.lastServer), 100, "Trying")).ok());
}

void nonInviteServerAuto100() {
  TransactionConfig cfg;
  cfg.nonInvite100 = true;
  Harness h(cfg);
  h.receive(request("SUBSCRIBE", "z9hG4bKo5"), udpPeer());
  TxnId id = h.tu.lastServer;
  h.clock.advance(3499);
  EXPECT_TRUE(h.net.sent.empty());
  h.clock.advance(1);
  ASSERT_EQ(h.net.sent.size(), 1u);
  EXPECT_EQ(h.net.sent[0].status(), 100);
  EXPECT_EQ(stateOf(h, id), TxnState::Proceeding);
  h.layer.onSendFailed(id, TransportErrc::SendFailed);
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
  // A response that cannot be sent in Trying ends the transaction; the TU learns from the
  // result (§17.2.4).
  h.receive(request("SUBSCRIBE", "z9hG4bKo6"), udpPeer());
  TxnId id2 = h.tu.lastServer;
  h.net.failAll = true;
  EXPECT_EQ(h.layer.respond(id2, respondTo(*h.layer.find(id2), 200, "OK")).error(), TxnError::Transport);
  EXPECT_EQ(stateOf(h, id2), TxnState::Terminated);
  // And one that fails in Proceeding tells the TU as well.
  h.net.failAll = false;
  h.receive(request("SUBSCRIBE", "z9hG4bKo7"), udpPeer());
  TxnId id3 = h.tu.lastServer;
  h.clock.advance(3500);
  EXPECT_EQ(stateOf(h, id3), TxnState::Proceeding);
  h.net.failAll = true;
  EXPECT_EQ(h.layer.respond(id3, respondTo(*h.layer.find(id3), 200, "OK")).error(), TxnError::Transport);
  EXPECT_EQ(stateOf(h, id3), TxnState::Terminated);
}

// ------------------------------------------------------------------------ matching

void mergedRequest() {
  Harness h;
  h.receive(request("INVITE", "z9hG4bKm1"), udpPeer());
  // The same request forked back to us along another path: other branch, same From tag,
  // Call-ID and CSeq, no To tag (§8.2.2.2) → 482, and the TU never sees it.
  h.receive(request("INVITE", "z9hG4bKm2", "SIP/2.0/UDP 192.0.2.11:5060"), udpPeer());
  EXPECT_EQ(h.countEvent("request INVITE"), 1u);
  // 100 to the first; the merged one is answered 482 at once, so no 100 (§17.2.1).
  ASSERT_EQ(h.net.sent.size(), 2u);
  EXPECT_EQ(h.net.sent[0].status(), 100);
  EXPECT_EQ(h.net.sent[1].status(), 482);
  auto rsp = parseMessage(h.net.sent[1].bytes);
  ASSERT_TRUE(rsp.ok());
  EXPECT_FALSE(rsp->to()->tag.empty());
  EXPECT_EQ(rsp->topVia()->branch, "z9hG4bKm2");
  EXPECT_EQ(h.layer.stats().merged482, 1u);
  // Its retransmission is absorbed by its own transaction (482 again).
  h.receive(request("INVITE", "z9hG4bKm2", "SIP/2.0/UDP 192.0.2.11:5060"), udpPeer());
  EXPECT_EQ(h.net.sent.back().status(), 482);
  EXPECT_EQ(h.layer.stats().merged482, 1u);
  // A different CSeq is a new request, not a merge.
  h.receive(request("INVITE", "z9hG4bKm3", "SIP/2.0/UDP 192.0.2.10:5060", "ft1", "", 2), udpPeer());
  EXPECT_EQ(h.countEvent("request INVITE"), 2u);
}

void matchingBySentByAndMethod() {
  Harness h;
  h.receive(request("OPTIONS", "z9hG4bKx1"), udpPeer());
  // Same branch from another sent-by: a different transaction (§17.2.3).
  h.receive(request("OPTIONS", "z9hG4bKx1", "SIP/2.0/UDP 192.0.2.99:5060", "ft2"), udpPeer());
  EXPECT_EQ(h.countEvent("request OPTIONS"), 2u);
  // CANCEL with the INVITE's branch is its own transaction and finds its INVITE (§9.2).
  h.receive(request("INVITE", "z9hG4bKx2", "SIP/2.0/UDP 192.0.2.10:5060", "ft3"), udpPeer());
  TxnId inv = h.tu.lastServer;
  Transaction* cancelTxn = nullptr;
  Transaction* target = nullptr;
  h.tu.onReq = [&](Transaction& t, const Message& m) {
    cancelTxn = &t;
    target = h.layer.cancelTarget(m);
  };
  h.receive(request("CANCEL", "z9hG4bKx2", "SIP/2.0/UDP 192.0.2.10:5060", "ft3"), udpPeer());
  ASSERT_NE(cancelTxn, nullptr);
  EXPECT_EQ(cancelTxn->kind(), TxnKind::NonInviteServer);
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(target->id(), inv);
  EXPECT_EQ(stateOf(h, inv), TxnState::Proceeding);
}

void rfc2543Matching() {
  Harness h;
  // No magic cookie: match on Request-URI, From tag, Call-ID, CSeq, top Via, To tag.
  const std::string inv = request("INVITE", "", "SIP/2.0/UDP 192.0.2.10:5060", "old1");
  h.receive(inv, udpPeer());
  TxnId id = h.tu.lastServer;
  Transaction* t = h.layer.find(id);
  h.receive(inv, udpPeer());
  EXPECT_EQ(h.countEvent("request INVITE"), 1u);
  EXPECT_EQ(h.layer.stats().retransmissionsAbsorbed, 1u);
  ASSERT_TRUE(h.layer.respond(id, respondTo(*t, 486, "Busy", "busy7")).ok());
  // ACK with the response's To tag matches the transaction.
  h.receive(request("ACK", "", "SIP/2.0/UDP 192.0.2.10:5060", "old1", "busy7"), udpPeer());
  EXPECT_EQ(stateOf(h, id), TxnState::Confirmed);
  EXPECT_FALSE(h.hasEvent("ack"));
  // ACK with another To tag does not.
  h.receive(request("ACK", "", "SIP/2.0/UDP 192.0.2.10:5060", "old1", "other"), udpPeer());
  EXPECT_TRUE(h.hasEvent("ack"));
  // Different Request-URI or CSeq: a new transaction.
  h.receive(request("INVITE", "", "SIP/2.0/UDP 192.0.2.10:5060", "old1", "", 2), udpPeer());
  EXPECT_EQ(h.countEvent("request INVITE"), 2u);
  // A magic-cookie-less request with a To tag (mid-dialog) is matched with it.
  const std::string bye = request("BYE", "", "SIP/2.0/UDP 192.0.2.10:5060", "old1", "busy7", 3);
  h.receive(bye, udpPeer());
  h.receive(bye, udpPeer());
  EXPECT_EQ(h.countEvent("request BYE"), 1u);
}

void strayAndBad() {
  Harness h;
  h.receive(response(200, "z9hG4bKnobody", "OPTIONS"), udpPeer());
  EXPECT_TRUE(h.hasEvent("stray 200"));
  Message m;
  ASSERT_TRUE(m.parse("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\nContent-Length: 0\r\n\r\n"));
  h.layer.onMessage(m, udpPeer());
  EXPECT_EQ(h.layer.stats().badMessages, 1u);
  EXPECT_EQ(h.layer.size(), 0u);

  // A 2xx whose To (or From, or Call-ID) does not parse is dropped, not taken as the INVITE's
  // final response: the TU could build no dialog or ACK from it, and the transaction would
  // end under a call that then hangs. The well-formed retransmission gets through.
  TxnId inv = startClient(h, "INVITE", "z9hG4bKbad");
  h.receive(response(180, "z9hG4bKbad", "INVITE"), udpPeer());
  for (auto [from, to] : {std::pair{"To: <sip:bob@192.0.2.20>;tag=tt1", "To: <sip:bob@192.0.2.20;tag=tt1"},
                          std::pair{"From: <sip:gw@10.0.0.1>;tag=gw1", "From: sip:gw@[10.0.0.1;tag=gw1"},
                          std::pair{"Call-ID: out-1@10.0.0.1", "Call-ID: "}}) {
    std::string bad = response(200, "z9hG4bKbad", "INVITE");
    bad.replace(bad.find(from), std::string_view(from).size(), to);
    h.receive(bad, udpPeer());
  }
  EXPECT_EQ(h.layer.stats().badMessages, 4u);
  EXPECT_EQ(stateOf(h, inv), TxnState::Proceeding);
  h.receive(response(200, "z9hG4bKbad", "INVITE"), udpPeer());
  EXPECT_EQ(stateOf(h, inv), TxnState::Accepted);
}

void remainingRows() {
  Harness h;
  TxnId inv = startClient(h, "INVITE", "z9hG4bKr1");
  h.receive(response(180, "z9hG4bKr1", "INVITE"), udpPeer());
  h.receive(response(200, "z9hG4bKr1", "INVITE"), udpPeer());
  EXPECT_EQ(stateOf(h, inv), TxnState::Accepted);
  TxnId opt = startClient(h, "OPTIONS", "z9hG4bKr2");
  h.receive(response(100, "z9hG4bKr2", "OPTIONS", ""), udpPeer());
  h.receive(response(486, "z9hG4bKr2", "OPTIONS"), udpPeer());
  EXPECT_EQ(stateOf(h, opt), TxnState::Completed);
  EXPECT_EQ(h.tu.events, (std::vector<std::string>{"response 180", "response 200", "response 100",
                                                   "response 486"}));
  h.receive(request("OPTIONS", "z9hG4bKr3"), udpPeer());
  TxnId s1 = h.tu.lastServer;
  ASSERT_TRUE(h.layer.respond(s1, respondTo(*h.layer.find(s1), 404, "Not Found")).ok());
  EXPECT_EQ(stateOf(h, s1), TxnState::Completed);
  h.receive(request("REGISTER", "z9hG4bKr4", "SIP/2.0/TCP 192.0.2.10:5060"), tcpPeer());
  TxnId s2 = h.tu.lastServer;
  ASSERT_TRUE(h.layer.respond(s2, respondTo(*h.layer.find(s2), 100, "Trying")).ok());
  EXPECT_EQ(stateOf(h, s2), TxnState::Proceeding);
  ASSERT_TRUE(h.layer.respond(s2, respondTo(*h.layer.find(s2), 200, "OK")).ok());
  EXPECT_EQ(stateOf(h, s2), TxnState::Completed);
  EXPECT_EQ(h.net.sent.back().dst.connection, 9u);
}

// ------------------------------------------------------------------------- tests

TEST(TransactionTable, RowsAreUniqueAndCited) {
  std::set<std::tuple<int, int, int>> seen;
  for (const TransitionRow& r : transitionTable()) {
    EXPECT_TRUE(seen.emplace(int(r.kind), int(r.from), int(r.event)).second)
        << toString(r.kind) << " " << toString(r.from) << " " << toString(r.event);
    EXPECT_FALSE(r.ref.empty());
    EXPECT_NE(r.from, TxnState::Terminated);
  }
  EXPECT_EQ(transitionTable().size(), 60u);
}

TEST(InviteClient, TimerADoublesWithoutCapUntilB) { inviteClientTimerAandB(); }
TEST(InviteClient, ReliableTransportHasNoTimerA) { inviteClientReliableNoRetransmit(); }
TEST(InviteClient, ProceedingThenRejectAbsorbsRetransmission) { inviteClientProceedingThenReject(); }
TEST(InviteClient, AckForNon2xx) { inviteClientAckContents(); }
TEST(InviteClient, AcceptedPasses2xxToTuUntilTimerM) { inviteClientAccepted(); }
TEST(InviteClient, TransportErrorsReportedAs503) { inviteClientTransportErrors(); }
TEST(InviteClient, ReliableTimerDIsZero) { inviteClientReliableTimerD(); }
TEST(NonInviteClient, TimerEDoublesUpToT2UntilF) { nonInviteClientTimerEandF(); }
TEST(NonInviteClient, ProceedingRetransmitsEveryT2) { nonInviteClientProceeding(); }
TEST(NonInviteClient, CompletedTimerK) { nonInviteClientCompletedTimerK(); }
TEST(NonInviteClient, TransportErrorsAndTimeouts) { nonInviteClientTransportError(); }
TEST(ClientRequest, Errors) { clientRequestErrors(); }
TEST(ClientRequest, LargeRequestSwitchesToTcp) { largeRequestSwitchesToTcp(); }
TEST(ClientRequest, CancelForInvite) { cancelForInvite(); }
TEST(ClientRequest, CancelledInviteGivesUpAfter64T1) { cancelledInviteGivesUp(); }
TEST(InviteServer, RejectRetransmitsWithTimerGUntilH) { inviteServerRejectTimerGandH(); }
TEST(InviteServer, AckConfirmsThenTimerI) { inviteServerConfirmed(); }
TEST(InviteServer, ReliableTransport) { inviteServerReliable(); }
TEST(InviteServer, AcceptedRfc6026) { inviteServerAccepted(); }
TEST(InviteServer, Delayed100Trying) { inviteServerDelayed100(); }
TEST(InviteServer, No100WhenTheTuRespondsAtOnce) { inviteServer100OnlyForASilentTu(); }
TEST(InviteServer, TransportErrors) { inviteServerTransportErrors(); }
TEST(NonInviteServer, AbsorbsRetransmissionsUntilTimerJ) { nonInviteServerBasic(); }
TEST(NonInviteServer, Rfc4320No408NoEarly100) { nonInviteServerRfc4320(); }
TEST(NonInviteServer, Automatic100AtT2) { nonInviteServerAuto100(); }
TEST(Matching, MergedRequestGets482) { mergedRequest(); }
TEST(Matching, SentByMethodAndCancel) { matchingBySentByAndMethod(); }
TEST(Matching, Rfc2543Fallback) { rfc2543Matching(); }
TEST(Matching, StrayResponsesAndBadRequests) { strayAndBad(); }
TEST(Transitions, ProceedingToFinalBothSides) { remainingRows(); }

// Every row of the table is taken by at least one scenario (run here in one process, since
// ctest runs each test in its own).
TEST(TransactionTable, EveryRowIsExercised) {
  inviteClientTimerAandB();
  inviteClientReliableNoRetransmit();
  inviteClientProceedingThenReject();
  inviteClientAckContents();
  inviteClientAccepted();
  inviteClientTransportErrors();
  inviteClientReliableTimerD();
  nonInviteClientTimerEandF();
  nonInviteClientProceeding();
  nonInviteClientCompletedTimerK();
  nonInviteClientTransportError();
  largeRequestSwitchesToTcp();
  cancelForInvite();
  cancelledInviteGivesUp();
  inviteServerRejectTimerGandH();
  inviteServerConfirmed();
  inviteServerReliable();
  inviteServerAccepted();
  inviteServerDelayed100();
  inviteServer100OnlyForASilentTu();
  inviteServerTransportErrors();
  nonInviteServerBasic();
  nonInviteServerRfc4320();
  nonInviteServerAuto100();
  mergedRequest();
  matchingBySentByAndMethod();
  rfc2543Matching();
  remainingRows();
  auto table = transitionTable();
  auto counts = transitionCounts();
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_GT(counts[i], 0u) << "never taken: " << toString(table[i].kind) << " "
                             << toString(table[i].from) << " --" << toString(table[i].event)
                             << "--> " << toString(table[i].to) << " (" << table[i].ref << ")";
  }
}

}  // namespace
}  // namespace siptgw::sip
