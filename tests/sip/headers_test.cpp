// Typed header parsers: RFC 3261 §20, RFC 3581, RFC 5118, RFC 3262, 3326, 4028, 3323,
// 3325, 7044, 5806, 6086, 5009.
#include "sip/headers.h"

#include <gtest/gtest.h>

namespace siptgw::sip {
namespace {

TEST(Via, Full) {
  auto v = parseVia(
      "SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;rport;ttl=16;"
      "maddr=224.2.0.1;received=192.0.2.1;x-custom=1");
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->protocolName, "SIP");
  EXPECT_EQ(v->protocolVersion, "2.0");
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->host, "pc33.atlanta.com");
  EXPECT_EQ(*v->port, 5066);
  EXPECT_EQ(v->branch, "z9hG4bK776asdhds");
  EXPECT_TRUE(v->hasMagicCookie());
  EXPECT_TRUE(v->rport);
  EXPECT_FALSE(v->rportValue.has_value());
  EXPECT_EQ(*v->ttl, 16);
  EXPECT_EQ(v->maddr, "224.2.0.1");
  EXPECT_EQ(v->received, "192.0.2.1");
  EXPECT_EQ(v->params.get("x-custom"), "1");
}

TEST(Via, RportWithValueAndWhitespace) {  // RFC 3581 §4; LWS around "/" and ":" (§25.1)
  auto v = parseVia("SIP / 2.0 / TCP  host.example.com : 5070 ; rport = 40000 ; branch=z9hG4bKx");
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->transport, "TCP");
  EXPECT_EQ(v->host, "host.example.com");
  EXPECT_EQ(*v->port, 5070);
  EXPECT_EQ(*v->rportValue, 40000);
}

TEST(Via, Ipv6) {  // RFC 5118 §4.5
  auto a =
      parseVia("SIP/2.0/UDP [2001:db8::9:1]:5060;received=[2001:db8::9:255];branch=z9hG4bKas3");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->host, "[2001:db8::9:1]");
  EXPECT_EQ(*a->port, 5060);
  EXPECT_EQ(a->received, "[2001:db8::9:255]");
  auto b = parseVia("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3");
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_EQ(b->received, "2001:db8::9:255");
  EXPECT_FALSE(parseVia("SIP/2.0/UDP 2001:db8::9:1;branch=z9hG4bK1").ok());
}

TEST(Via, Malformed) {
  EXPECT_FALSE(parseVia("SIP/2.0 host").ok());
  EXPECT_FALSE(parseVia("SIP/2.0/UDP").ok());
  EXPECT_FALSE(parseVia("SIP/2.0/UDPhost").ok());
  EXPECT_FALSE(parseVia("SIP/2.0/UDP host:port").ok());
  EXPECT_FALSE(parseVia("SIP/2.0/UDP 192.0.2.15;;,;,,").ok());  // RFC 4475 §3.1.2.1
  EXPECT_FALSE(parseVia("SIP/2.0/UDP host;ttl=256").ok());
  EXPECT_FALSE(parseVia("SIP/2.0/UDP host;rport=x").ok());
  EXPECT_FALSE(parseVia("SIP/2.0/UDP host;received=not_an_ip").ok());
  auto e = parseVia("SIP/2.0/UDP host;branch");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ParseErrc::BadHeaderValue);
  EXPECT_STREQ(e.error().what, "bad branch parameter");
}

TEST(NameAddr, Forms) {
  auto a = parseNameAddr("\"Bob \\\"B\\\" Smith\" <sip:bob@biloxi.com;transport=tcp>;tag=a6c85cf");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->display(), "Bob \\\"B\\\" Smith");
  EXPECT_TRUE(a->angleBrackets);
  EXPECT_EQ(a->uri.sip.user, "bob");
  EXPECT_EQ(a->uri.sip.transport(), "tcp");  // inside <>: a URI parameter
  EXPECT_EQ(a->tag, "a6c85cf");

  auto b =
      parseNameAddr("sip:alice@atlanta.com;tag=1928301774");  // addr-spec: tag is a header param
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->angleBrackets);
  EXPECT_TRUE(b->uri.sip.params.empty());
  EXPECT_EQ(b->tag, "1928301774");

  auto c = parseNameAddr("Anonymous caller<sip:caller@example.com>;tag=323");  // RFC 4475 lwsdisp
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->displayName, "Anonymous caller");
  EXPECT_EQ(c->uri.sip.host, "example.com");

  auto d = parseNameAddr("<tel:+4930123;npdi;rn=+4930999>");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->uri.scheme, UriScheme::Tel);
  EXPECT_TRUE(d->uri.tel.npdi);
}

TEST(NameAddr, Malformed) {
  EXPECT_FALSE(parseNameAddr("\"Mr. J. User <sip:j.user@example.com>").ok());  // quotbal
  EXPECT_FALSE(parseNameAddr("\"Watson, Thomas\" < sip:t.watson@example.org >").ok());
  EXPECT_FALSE(parseNameAddr("Bell, Alexander <sip:a.g.bell@example.com>;tag=43").ok());
  EXPECT_FALSE(parseNameAddr("sip:user@example.com?Route=%3Csip:sip.example.com%3E").ok());
  EXPECT_FALSE(parseNameAddr("<sip:user@example.com").ok());
  EXPECT_FALSE(parseNameAddr("").ok());
  auto e = parseNameAddr("<sip:user@example.com>;tag");
  ASSERT_FALSE(e.ok());
  EXPECT_STREQ(e.error().what, "bad tag parameter");
}

TEST(Contact, StarExpiresQ) {
  auto s = parseContact(" * ");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->star);
  auto c = parseContact("<sip:+11234567890@example.com;user=phone>;expires=3600;q=0.7");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->star);
  EXPECT_EQ(*c->expires, 3600u);
  EXPECT_EQ(c->q, "0.7");
  EXPECT_TRUE(c->addr.uri.sip.userIsPhone());
  EXPECT_FALSE(parseContact("<sip:a@b>;q=1.5").ok());
  EXPECT_FALSE(parseContact("<sip:a@b>;expires=280297596632815").ok());  // RFC 4475 scalarlg
}

TEST(CSeq, Values) {
  auto c = parseCSeq("4711 INVITE");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->number, 4711u);
  EXPECT_EQ(c->method, "INVITE");
  EXPECT_FALSE(parseCSeq("36893488147419103232 INVITE").ok());
  EXPECT_FALSE(parseCSeq("2147483648 INVITE").ok());  // must be < 2**31
  EXPECT_FALSE(parseCSeq("12INVITE").ok());
  EXPECT_FALSE(parseCSeq("12").ok());
  EXPECT_FALSE(parseCSeq("-1 INVITE").ok());
}

TEST(Scalars, MaxForwardsCallIdLengths) {
  EXPECT_EQ(parseMaxForwards("0068").value(), 68u);
  EXPECT_FALSE(parseMaxForwards("300").ok());
  EXPECT_EQ(parseCallId(" a84b4c76e66710@pc33.atlanta.com ").value(),
            "a84b4c76e66710@pc33.atlanta.com");
  EXPECT_FALSE(parseCallId("a@b@c").ok());
  EXPECT_FALSE(parseCallId("a b").ok());
  EXPECT_EQ(parseContentLength("150").value(), 150u);
  EXPECT_EQ(parseContentLength("-999").error().code, ParseErrc::BadContentLength);
  EXPECT_EQ(parseDeltaSeconds("3600").value(), 3600u);
  EXPECT_FALSE(parseDeltaSeconds("10000000000").ok());
  EXPECT_EQ(parseRSeq("988789").value(), 988789u);
  EXPECT_FALSE(parseRSeq("0").ok());
}

TEST(RAck, Rfc3262) {
  auto r = parseRAck("776656 1 INVITE");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rseq, 776656u);
  EXPECT_EQ(r->cseq, 1u);
  EXPECT_EQ(r->method, "INVITE");
  EXPECT_FALSE(parseRAck("776656 INVITE").ok());
  EXPECT_FALSE(parseRAck("1 2").ok());
}

TEST(Reason, Rfc3326) {
  auto q = parseReason("Q.850 ;cause=16 ;text=\"Terminated\"");
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->protocol, "Q.850");
  EXPECT_EQ(*q->cause, 16u);
  EXPECT_EQ(q->text, "Terminated");
  auto s = parseReason("SIP;cause=200;text=\"Call completed elsewhere\"");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s->cause, 200u);
  EXPECT_FALSE(parseReason("Q.850;cause=abc").ok());
  EXPECT_FALSE(parseReason("Q.850;text=unquoted").ok());
}

TEST(SessionTimer, Rfc4028) {
  auto se = parseSessionExpires("1800;refresher=uac");
  ASSERT_TRUE(se.ok());
  EXPECT_EQ(se->delta, 1800u);
  EXPECT_EQ(se->refresher, Refresher::Uac);
  EXPECT_EQ(parseSessionExpires("90").value().refresher, Refresher::None);
  EXPECT_FALSE(parseSessionExpires("1800;refresher=proxy").ok());
  EXPECT_EQ(parseMinSE("90").value().delta, 90u);
  EXPECT_FALSE(parseMinSE("x").ok());
}

TEST(Privacy, Rfc3323) {
  auto p = parsePrivacy("id; header ;user");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->has(Privacy::kId));
  EXPECT_TRUE(p->has(Privacy::kHeader));
  EXPECT_TRUE(p->has(Privacy::kUser));
  EXPECT_FALSE(p->has(Privacy::kSession));
  EXPECT_EQ(p->values.size(), 3u);
  EXPECT_TRUE(parsePrivacy("none").value().has(Privacy::kNone));
  EXPECT_FALSE(parsePrivacy("none;id").ok());
  EXPECT_FALSE(parsePrivacy("id;;user").ok());
}

TEST(HistoryInfo, Rfc7044) {
  auto h = parseHistoryInfo("<sip:bob@example.com?Reason=SIP%3Bcause%3D302>;index=1.1;rc=1");
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->index, "1.1");
  EXPECT_EQ(h->rc, "1");
  EXPECT_EQ(h->addr.uri.sip.headers, "Reason=SIP%3Bcause%3D302");
  EXPECT_FALSE(parseHistoryInfo("<sip:bob@example.com>").ok());
  EXPECT_FALSE(parseHistoryInfo("<sip:bob@example.com>;index=1..2").ok());
  EXPECT_FALSE(parseHistoryInfo("<sip:bob@example.com>;index=1.").ok());
}

TEST(Diversion, Rfc5806) {
  auto d = parseDiversion(
      "<sip:+4930123@gw.example.com;user=phone>;reason=user-busy;counter=1;"
      "privacy=off;screen=no");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->reason, "user-busy");
  EXPECT_EQ(*d->counter, 1u);
  EXPECT_EQ(d->privacy, "off");
  EXPECT_EQ(d->screen, "no");
  EXPECT_FALSE(parseDiversion("<sip:a@b>;counter=x").ok());
}

TEST(InfoAndEarlyMedia, Rfc6086Rfc5009) {
  auto p = parseInfoPackage("g.3gpp.dtmf;x=1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "g.3gpp.dtmf");
  EXPECT_EQ(p->params.get("x"), "1");
  EXPECT_FALSE(parseInfoPackage("bad name").ok());
  EXPECT_EQ(parsePEarlyMedia("sendrecv").value(), EarlyMedia::SendRecv);
  EXPECT_EQ(parsePEarlyMedia("gated").value(), EarlyMedia::Gated);
  EXPECT_EQ(parsePEarlyMedia("future").value(), EarlyMedia::Other);
  EXPECT_FALSE(parsePEarlyMedia("a b").ok());
}

TEST(ContentTypeDisposition, Params) {
  auto ct = parseContentType("multipart/mixed ; boundary=\"unique-boundary-1\"");
  ASSERT_TRUE(ct.ok());
  EXPECT_TRUE(ct->is("Multipart", "MIXED"));
  EXPECT_EQ(ct->param("boundary"), "unique-boundary-1");
  auto isup = parseContentType("application/ISUP; version=itu-t92+; base=itu-t92+");
  ASSERT_TRUE(isup.ok());
  EXPECT_EQ(isup->param("version"), "itu-t92+");
  EXPECT_FALSE(parseContentType("application").ok());
  EXPECT_FALSE(parseContentType("application/sdp;").ok());
  auto cd = parseContentDisposition("signal; handling=required");
  ASSERT_TRUE(cd.ok());
  EXPECT_EQ(cd->type, "signal");
  EXPECT_EQ(cd->handling, Handling::Required);
  EXPECT_EQ(parseContentDisposition("session").value().handling, Handling::Absent);
  EXPECT_EQ(parseContentDisposition("signal;handling=optional").value().handling,
            Handling::Optional);
}

TEST(Text, CommaSplitRespectsQuotesAndAngles) {
  std::vector<std::string_view> parts;
  forEachCommaValue("\"a,b\" <sip:x@y;p=1,2>, <sip:z@w>,sip:q@r", [&](std::string_view v) {
    parts.push_back(v);
    return true;
  });
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "\"a,b\" <sip:x@y;p=1,2>");
  EXPECT_EQ(parts[1], "<sip:z@w>");
  EXPECT_EQ(parts[2], "sip:q@r");
}

}  // namespace
}  // namespace siptgw::sip

namespace siptgw::sip {
namespace {

TEST(Text, UnescapeQuotedDisplayName) {
  auto a = parseNameAddr("\"J Rosenberg \\\\\\\"\" <sip:jdrosen@example.com>");  // RFC 4475 wsinv
  ASSERT_TRUE(a.ok());
  char buf[32];
  std::size_t n = unescapeQuoted(a->display(), buf, sizeof buf);
  EXPECT_EQ(std::string_view(buf, n), "J Rosenberg \\\"");
}

TEST(Text, ParamListLookupAndIteration) {
  ParamList p(" ; lr ;Transport = TCP;x=\"a;b\";maddr=[2001:db8::1]");
  EXPECT_EQ(validateParams(p.raw(), false), nullptr);
  EXPECT_TRUE(p.has("LR"));
  EXPECT_FALSE(p.find("lr")->hasValue);
  EXPECT_EQ(p.get("transport"), "TCP");
  EXPECT_EQ(p.get("x"), "\"a;b\"");
  EXPECT_EQ(p.get("maddr"), "[2001:db8::1]");
  EXPECT_EQ(p.size(), 4u);
  EXPECT_STREQ(validateParams(";a=", false), "empty parameter value");
  EXPECT_STREQ(validateParams(";=b", false), "empty parameter name");
  EXPECT_STREQ(validateParams(";a b", false), "expected ';' before parameter");
  EXPECT_STREQ(validateParams(";a=\"open", false), "unterminated quoted parameter value");
  EXPECT_STREQ(validateParams(";a b", true), "bad character in URI parameter");
}

}  // namespace
}  // namespace siptgw::sip
