// RFC 3261 §12 dialog rules (sip/dialog.h): creation on both sides, route sets, remote
// target and target refresh, CSeq rules, and the Request-URI/Route of in-dialog requests.
#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "sip/dialog.h"
#include "sip/message_builder.h"

namespace siptgw::sip {
namespace {

const std::string kInvite =
    "INVITE sip:bob@192.0.2.20 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"GW\" <sip:gw@10.0.0.1>;tag=loc1\r\n"
    "To: <sip:bob@192.0.2.20>\r\n"
    "Call-ID: c1@10.0.0.1\r\n"
    "CSeq: 7 INVITE\r\n"
    "Contact: <sip:gw@10.0.0.1:5060>\r\n"
    "Content-Length: 0\r\n\r\n";

std::string rsp(int code, std::string_view tag, std::string_view rr, std::string_view contact) {
  std::string s = "SIP/2.0 " + std::to_string(code) + " X\r\n";
  s += "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1\r\n";
  s += "From: \"GW\" <sip:gw@10.0.0.1>;tag=loc1\r\n";
  s += "To: <sip:bob@192.0.2.20>;tag=" + std::string(tag) + "\r\n";
  s += "Call-ID: c1@10.0.0.1\r\nCSeq: 7 INVITE\r\n";
  s += std::string(rr);
  if (!contact.empty()) s += "Contact: " + std::string(contact) + "\r\n";
  s += "Content-Length: 0\r\n\r\n";
  return s;
}

const std::string kUasInvite =
    "INVITE sip:+15551234@gw.example.net SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKx1\r\n"
    "Record-Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr>\r\n"
    "Record-Route: <sip:192.0.2.30;lr>\r\n"
    "From: <sip:alice@192.0.2.10>;tag=rem1\r\n"
    "To: <sip:+15551234@gw.example.net>\r\n"
    "Call-ID: in-1@192.0.2.10\r\nCSeq: 100 INVITE\r\n"
    "Contact: <sip:alice@192.0.2.10:5070;transport=tcp>\r\n"
    "Content-Length: 0\r\n\r\n";

// Messages view their text: keep every parsed text alive for the test's duration.
Message parse(std::string s) {
  static std::deque<std::string> keep;
  keep.push_back(std::move(s));
  auto m = parseMessage(keep.back());
  EXPECT_TRUE(m.ok()) << s;
  return std::move(*m);
}

std::string requestOf(Dialog& d, std::string_view method, std::uint32_t cseq = 0) {
  std::string out;
  MessageBuilder b(out);
  d.buildRequest(b, method, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnew", cseq);
  b.finish();
  return out;
}

TEST(DialogUac, EarlyDialogFrom1xxReversesRecordRoute) {  // §12.1.2
  Message inv = parse(kInvite);
  Message r180 = parse(rsp(180, "rt1", "Record-Route: <sip:p2.example.net;lr>, <sip:p1.example.net;lr>\r\n",
                           "<sip:bob@192.0.2.20:5062>"));
  auto d = Dialog::createUac(inv, r180);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->state(), DialogState::Early);
  EXPECT_TRUE(d->isUac());
  EXPECT_EQ(d->callId(), "c1@10.0.0.1");
  EXPECT_EQ(d->localTag(), "loc1");
  EXPECT_EQ(d->remoteTag(), "rt1");
  EXPECT_EQ(d->key(), dialogKey("c1@10.0.0.1", "loc1", "rt1"));
  EXPECT_EQ(d->key(), dialogKeyOfResponse(r180));
  EXPECT_EQ(d->localSeq(), 7u);
  EXPECT_FALSE(d->remoteSeq().has_value());
  EXPECT_EQ(d->remoteTarget(), "sip:bob@192.0.2.20:5062");
  ASSERT_EQ(d->routeSet().size(), 2u);
  EXPECT_EQ(d->routeSet()[0], "<sip:p1.example.net;lr>");
  EXPECT_EQ(d->routeSet()[1], "<sip:p2.example.net;lr>");
  EXPECT_EQ(d->localUri(), "\"GW\" <sip:gw@10.0.0.1>;tag=loc1");
  EXPECT_EQ(d->remoteUri(), "<sip:bob@192.0.2.20>;tag=rt1");
}

TEST(DialogUac, ForkedResponsesMakeDistinctDialogs) {
  Message inv = parse(kInvite);
  auto a = Dialog::createUac(inv, parse(rsp(180, "a", "", "<sip:b1@192.0.2.21>")));
  auto b = Dialog::createUac(inv, parse(rsp(183, "b", "", "<sip:b2@192.0.2.22>")));
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->key(), b->key());
  EXPECT_EQ(a->remoteTarget(), "sip:b1@192.0.2.21");
  EXPECT_EQ(b->remoteTarget(), "sip:b2@192.0.2.22");
}

TEST(DialogUac, NoToTagNoDialogAnd2xxNeedsContact) {
  Message inv = parse(kInvite);
  std::string noTag = rsp(180, "x", "", "");
  noTag.replace(noTag.find(";tag=x"), 6, "");
  auto d = Dialog::createUac(inv, parse(noTag));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), 0);
  auto e = Dialog::createUac(inv, parse(rsp(200, "x", "", "")));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error(), 400);
  // A 1xx without Contact keeps the Request-URI as remote target.
  auto f = Dialog::createUac(inv, parse(rsp(180, "x", "", "")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->remoteTarget(), "sip:bob@192.0.2.20");
}

TEST(DialogUac, TwoHundredConfirmsAndRecomputesRouteSet) {  // §13.2.2.4
  Message inv = parse(kInvite);
  auto d = Dialog::createUac(inv, parse(rsp(180, "t", "Record-Route: <sip:old.example.net;lr>\r\n",
                                            "<sip:bob@192.0.2.20>")));
  ASSERT_TRUE(d);
  d->onResponseToInitial(parse(rsp(200, "t", "Record-Route: <sip:n2;lr>\r\nRecord-Route: <sip:n1;lr>\r\n",
                                   "<sip:bob@192.0.2.25:5080>")));
  EXPECT_EQ(d->state(), DialogState::Confirmed);
  ASSERT_EQ(d->routeSet().size(), 2u);
  EXPECT_EQ(d->routeSet()[0], "<sip:n1;lr>");
  EXPECT_EQ(d->routeSet()[1], "<sip:n2;lr>");
  EXPECT_EQ(d->remoteTarget(), "sip:bob@192.0.2.25:5080");
}

// Requests in the dialog copy the route set into Route: a Record-Route value that is not a
// rec-route (§25.1) makes no dialog, and a later one leaves the route set as it was (found by
// tests/fuzz/sip_ua.cpp: the PRACK for such a 183 carried the peer's bytes, NUL included).
TEST(DialogUac, BadRecordRouteMakesNoDialogAndChangesNone) {
  Message inv = parse(kInvite);
  for (std::string_view rr : {"Record-Route: <sip:p1.example.net;lr\r\n",
                              "Record-Route: sip:p1.example.net;lr\r\n",
                              "Record-Route: <sip:p1.example.net;lr>, <sip:[::1;lr>\r\n"}) {
    auto d = Dialog::createUac(inv, parse(rsp(180, "t", rr, "<sip:bob@192.0.2.20>")));
    ASSERT_FALSE(d) << rr;
    EXPECT_EQ(d.error(), 400);
  }
  auto d = Dialog::createUac(inv, parse(rsp(180, "t", "Record-Route: <sip:old.example.net;lr>\r\n",
                                            "<sip:bob@192.0.2.20>")));
  ASSERT_TRUE(d);
  d->onResponseToInitial(parse(rsp(200, "t", "Record-Route: <sip:n1;lr>, <sip:n2;lr\r\n",
                                   "<sip:bob@192.0.2.25:5080>")));
  ASSERT_EQ(d->routeSet().size(), 1u);
  EXPECT_EQ(d->routeSet()[0], "<sip:old.example.net;lr>");
}

TEST(DialogUas, FromInviteKeepsRecordRouteOrder) {  // §12.1.1
  Message inv = parse(kUasInvite);
  auto d = Dialog::createUas(inv, "mytag");
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->isUac());
  EXPECT_EQ(d->state(), DialogState::Early);
  EXPECT_EQ(d->localTag(), "mytag");
  EXPECT_EQ(d->remoteTag(), "rem1");
  EXPECT_EQ(d->remoteSeq(), 100u);
  EXPECT_EQ(d->localSeq(), 0u);
  ASSERT_EQ(d->routeSet().size(), 3u);
  EXPECT_EQ(d->routeSet()[0], "<sip:p1.example.net;lr>");
  EXPECT_EQ(d->routeSet()[1], "<sip:p2.example.net;lr>");
  EXPECT_EQ(d->routeSet()[2], "<sip:192.0.2.30;lr>");
  EXPECT_EQ(d->remoteTarget(), "sip:alice@192.0.2.10:5070;transport=tcp");
  EXPECT_EQ(d->localUri(), "<sip:+15551234@gw.example.net>;tag=mytag");
  EXPECT_EQ(d->remoteUri(), "<sip:alice@192.0.2.10>;tag=rem1");
  EXPECT_EQ(d->nextHopUri(), "sip:p1.example.net;lr");
  // A request of ours in this dialog matches by (Call-ID, To tag, From tag).
  EXPECT_EQ(d->key(), dialogKey("in-1@192.0.2.10", "mytag", "rem1"));
}

// createUas on kUasInvite with `from` replaced by `to`: the status it refuses with, 0 if none.
std::uint16_t uasRefusal(std::string_view from, std::string_view to) {
  std::string s = kUasInvite;
  s.replace(s.find(from), from.size(), to);
  auto d = Dialog::createUas(parse(s), "t");
  return d ? 0 : d.error();
}

TEST(DialogUas, MissingContactIs400) {
  EXPECT_EQ(uasRefusal("Contact: <sip:alice@192.0.2.10:5070;transport=tcp>\r\n", ""), 400);
}

// §19.1.1 Table 1: no headers component in a dialog's Contact; as the remote target it
// would become a Request-URI, where headers are not allowed (the BYE would not parse).
TEST(DialogUas, ContactWithUriHeadersIsNoTarget) {
  EXPECT_EQ(uasRefusal(";transport=tcp>", ";transport=tcp?subject=x>"), 400);
  Message inv = parse(kInvite);
  auto e = Dialog::createUac(inv, parse(rsp(200, "t", "", "<sip:bob@192.0.2.20?x=y>")));
  ASSERT_FALSE(e);
  auto f = Dialog::createUac(inv, parse(rsp(180, "t", "", "<sip:bob@192.0.2.21>")));
  ASSERT_TRUE(f);
  f->onResponseToInitial(parse(rsp(200, "t", "", "<sip:bob@192.0.2.25?x=y>")));
  EXPECT_EQ(f->remoteTarget(), "sip:bob@192.0.2.21");
}

TEST(DialogUas, BadRecordRouteIs400) {
  EXPECT_EQ(uasRefusal("<sip:192.0.2.30;lr>", "<sip:192.0.2.30;lr"), 400);
  EXPECT_EQ(uasRefusal("<sip:192.0.2.30;lr>", "<sip:192.0.2.30;lr>"), 0);
}

TEST(DialogRequests, LooseRoutingKeepsRemoteTargetAndRoutes) {  // §12.2.1.1
  auto d = Dialog::createUas(parse(kUasInvite), "mytag");
  ASSERT_TRUE(d);
  Message bye = parse(requestOf(*d, "BYE"));
  EXPECT_EQ(bye.method(), "BYE");
  EXPECT_EQ(bye.requestUriText(), "sip:alice@192.0.2.10:5070;transport=tcp");
  auto routes = bye.routes();
  ASSERT_TRUE(routes);
  ASSERT_EQ(routes->size(), 3u);
  EXPECT_EQ((*routes)[0].uri.raw, "sip:p1.example.net;lr");
  EXPECT_EQ((*routes)[2].uri.raw, "sip:192.0.2.30;lr");
  EXPECT_EQ(bye.cseq()->number, 1u);  // UAS local seq was empty
  EXPECT_EQ(bye.cseq()->method, "BYE");
  EXPECT_EQ(bye.from()->tag, "mytag");
  EXPECT_EQ(bye.to()->tag, "rem1");
  EXPECT_EQ(*bye.callId(), "in-1@192.0.2.10");
  Message info = parse(requestOf(*d, "INFO"));
  EXPECT_EQ(info.cseq()->number, 2u);
  // ACK reuses the INVITE's number.
  Message ack = parse(requestOf(*d, "ACK", 1));
  EXPECT_EQ(ack.cseq()->number, 1u);
  EXPECT_EQ(d->localSeq(), 2u);
}

TEST(DialogRequests, NoRouteSetNoRouteHeader) {
  Message inv = parse(kInvite);
  auto d = Dialog::createUac(inv, parse(rsp(200, "t", "", "<sip:bob@192.0.2.20:5062>")));
  ASSERT_TRUE(d);
  Message bye = parse(requestOf(*d, "BYE"));
  EXPECT_EQ(bye.requestUriText(), "sip:bob@192.0.2.20:5062");
  EXPECT_FALSE(bye.has(HeaderId::Route));
  EXPECT_EQ(bye.cseq()->number, 8u);  // local seq 7 from the INVITE, +1
  auto hop = d->nextHop(TransportType::Udp);
  ASSERT_TRUE(hop);
  EXPECT_EQ(hop->remote.toString(), "192.0.2.20:5062");
}

TEST(DialogRequests, StrictRouterGoesIntoRequestUri) {  // §12.2.1.1 strict routing
  Message inv = parse(kInvite);
  // UAC: reversed, so the strict router sip:192.0.2.40;method=INVITE ends up first.
  auto d = Dialog::createUac(
      inv, parse(rsp(200, "t", "Record-Route: <sip:p9.example.net;lr>, <sip:192.0.2.40;maddr=192.0.2.40;method=INVITE>\r\n",
                     "<sip:bob@192.0.2.20:5062>")));
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->strictRouting());
  Message bye = parse(requestOf(*d, "BYE"));
  EXPECT_EQ(bye.requestUriText(), "sip:192.0.2.40;maddr=192.0.2.40");
  auto routes = bye.routes();
  ASSERT_TRUE(routes);
  ASSERT_EQ(routes->size(), 2u);
  EXPECT_EQ((*routes)[0].uri.raw, "sip:p9.example.net;lr");
  EXPECT_EQ((*routes)[1].uri.raw, "sip:bob@192.0.2.20:5062");  // remote target last
  auto hop = d->nextHop(TransportType::Udp);
  ASSERT_TRUE(hop);
  EXPECT_EQ(hop->remote.toString(), "192.0.2.40:5060");
}

TEST(DialogRequests, RemoteCSeqRules) {  // §12.2.2
  auto d = Dialog::createUas(parse(kUasInvite), "mytag");
  ASSERT_TRUE(d);
  auto req = [](std::uint32_t n) {
    return parse("BYE sip:gw@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKq\r\n"
                 "From: <sip:alice@192.0.2.10>;tag=rem1\r\nTo: <sip:x@y>;tag=mytag\r\nCall-ID: in-1@192.0.2.10\r\n"
                 "CSeq: " + std::to_string(n) + " BYE\r\nContent-Length: 0\r\n\r\n");
  };
  EXPECT_EQ(d->checkRemoteCSeq(req(99)), 500);
  EXPECT_EQ(d->remoteSeq(), 100u);
  EXPECT_EQ(d->checkRemoteCSeq(req(101)), 0);
  EXPECT_EQ(d->remoteSeq(), 101u);
  EXPECT_EQ(d->checkRemoteCSeq(req(100)), 500);
  // UAC dialog: the remote sequence number starts empty and takes the first request's.
  auto u = Dialog::createUac(parse(kInvite), parse(rsp(200, "t", "", "<sip:b@192.0.2.20>")));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->checkRemoteCSeq(req(5)), 0);
  EXPECT_EQ(u->remoteSeq(), 5u);
  EXPECT_EQ(u->checkRemoteCSeq(req(4)), 500);
}

TEST(DialogRequests, TargetRefreshFromContact) {
  auto d = Dialog::createUas(parse(kUasInvite), "mytag");
  ASSERT_TRUE(d);
  d->refreshTarget(parse("UPDATE sip:gw@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKu\r\n"
                         "From: <sip:alice@192.0.2.10>;tag=rem1\r\nTo: <sip:x@y>;tag=mytag\r\nCall-ID: in-1@192.0.2.10\r\n"
                         "CSeq: 101 UPDATE\r\nContact: <sip:alice@192.0.2.99:6000>\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(d->remoteTarget(), "sip:alice@192.0.2.99:6000");
  Message bye = parse(requestOf(*d, "BYE"));
  EXPECT_EQ(bye.requestUriText(), "sip:alice@192.0.2.99:6000");
}

// The dialog ID, URIs and target share one string; the ID comes first in dialogKey() form.
// A target refresh rewrites the target only, and survives moving the dialog.
TEST(DialogRequests, KeyAndPartsStayApartThroughRefreshAndMove) {
  auto d = Dialog::createUas(parse(kUasInvite), "mytag");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->key(), dialogKey("in-1@192.0.2.10", "mytag", "rem1"));
  EXPECT_TRUE(d->hasKey(dialogKey("in-1@192.0.2.10", "mytag", "rem1")));
  EXPECT_FALSE(d->hasKey(dialogKey("in-1@192.0.2.10", "mytag", "rem2")));
  EXPECT_FALSE(d->hasKey(dialogKey("in-1@192.0.2.1", "0mytag", "rem1")));  // separators elsewhere
  d->refreshTarget(parse("UPDATE sip:gw@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKu\r\n"
                         "From: <sip:alice@192.0.2.10>;tag=rem1\r\nTo: <sip:x@y>;tag=mytag\r\nCall-ID: in-1@192.0.2.10\r\n"
                         "CSeq: 101 UPDATE\r\nContact: <sip:alice-with-a-much-longer-user-part@192.0.2.99:6000>\r\n"
                         "Content-Length: 0\r\n\r\n"));
  Dialog moved = std::move(*d);
  EXPECT_EQ(moved.remoteTarget(), "sip:alice-with-a-much-longer-user-part@192.0.2.99:6000");
  EXPECT_EQ(moved.callId(), "in-1@192.0.2.10");
  EXPECT_EQ(moved.localTag(), "mytag");
  EXPECT_EQ(moved.remoteTag(), "rem1");
  EXPECT_EQ(moved.localUri(), "<sip:+15551234@gw.example.net>;tag=mytag");
  EXPECT_EQ(moved.remoteUri(), "<sip:alice@192.0.2.10>;tag=rem1");
  EXPECT_EQ(moved.key(), dialogKey("in-1@192.0.2.10", "mytag", "rem1"));
  Message bye = parse(requestOf(moved, "BYE"));
  EXPECT_EQ(bye.from()->tag, "mytag");
  EXPECT_EQ(bye.to()->tag, "rem1");
  EXPECT_EQ(*bye.callId(), "in-1@192.0.2.10");
}

TEST(DialogRequests, DestinationForUri) {
  auto u = parseUri("sip:a@192.0.2.5;transport=tcp");
  ASSERT_TRUE(u);
  auto d = destinationForUri(*u, TransportType::Udp);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->transport, TransportType::Tcp);
  EXPECT_EQ(d->remote.toString(), "192.0.2.5:5060");
  auto s = parseUri("sips:a@[2001:db8::1]");
  ASSERT_TRUE(s);
  auto ds = destinationForUri(*s, TransportType::Udp);
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->transport, TransportType::Tls);
  EXPECT_EQ(ds->remote.port, 5061);
  auto h = parseUri("sip:a@host.example.net");
  ASSERT_TRUE(h);
  EXPECT_FALSE(destinationForUri(*h, TransportType::Udp));  // no DNS (RFC 3263)
}

}  // namespace
}  // namespace siptgw::sip
