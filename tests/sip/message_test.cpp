// Message parsing: RFC 3261 §7 start lines, header scanning, compact forms (§7.3.3),
// folding (§7.3.1), Content-Length (§18.3, §20.14), limits, lazy typed access, editing.
#include "sip/message.h"

#include <gtest/gtest.h>

#include "sip/message_builder.h"
#include "sip_samples.h"

namespace siptgw::sip {
namespace {

using test::kInviteSdp;
using test::makeInvite;

TEST(Message, ParsesInviteAndTypedHeaders) {
  std::string wire = makeInvite();
  Message m;
  auto r = m.parse(wire);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(m.isRequest());
  EXPECT_EQ(m.method(), "INVITE");
  EXPECT_EQ(m.requestUriText(), "sip:+4930123456@gw.example.net;user=phone");
  EXPECT_EQ(m.requestUri().sip.user, "+4930123456");
  EXPECT_EQ(m.headers().size(), 13u);
  EXPECT_EQ(m.body(), kInviteSdp);
  EXPECT_EQ(*m.contentLength(), kInviteSdp.size());

  const auto& via = m.topVia();
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->branch, "z9hG4bK776asdhds");
  EXPECT_EQ(via->host, "pc33.atlanta.com");
  EXPECT_TRUE(via->rport);
  EXPECT_EQ(&m.topVia(), &via);  // cached: same object on the second access

  EXPECT_EQ(m.from()->tag, "1928301774");
  EXPECT_EQ(m.from()->display(), "Alice");
  EXPECT_TRUE(m.to()->tag.empty());
  EXPECT_EQ(m.callId().value(), "a84b4c76e66710@pc33.atlanta.com");
  EXPECT_EQ(m.cseq()->number, 314159u);
  EXPECT_EQ(m.cseq()->method, "INVITE");
  EXPECT_EQ(m.maxForwards().value(), 70u);
  EXPECT_TRUE(m.contentType()->is("application", "sdp"));

  auto allow = m.tokens(HeaderId::Allow);
  ASSERT_TRUE(allow.ok());
  ASSERT_EQ(allow->size(), 8u);
  EXPECT_EQ((*allow)[4], "PRACK");
  EXPECT_TRUE(m.hasOptionTag(HeaderId::Supported, "100rel"));
  EXPECT_FALSE(m.hasOptionTag(HeaderId::Require, "100rel"));

  auto pai = m.pAssertedIdentities();
  ASSERT_TRUE(pai.ok());
  ASSERT_EQ(pai->size(), 2u);
  EXPECT_EQ((*pai)[0].uri.scheme, UriScheme::Sip);
  EXPECT_EQ((*pai)[1].uri.scheme, UriScheme::Tel);
  EXPECT_EQ((*pai)[1].uri.tel.number, "+4940111");

  const HeaderField* x = m.find("x-vendor-thing");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->id, HeaderId::Other);
  EXPECT_EQ(x->value, "keep me; exactly ,as is");
  EXPECT_EQ(x->line, 12u);
}

TEST(Message, ParsesResponse) {
  std::string wire =
      "SIP/2.0 180 Ringing\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;received=192.0.2.1\r\n"
      "To: Bob <sip:bob@biloxi.com>;tag=a6c85cf\r\n"
      "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Require: 100rel\r\n"
      "RSeq: 988789\r\n"
      "P-Early-Media: sendrecv, gated\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_TRUE(m.isResponse());
  EXPECT_EQ(m.statusCode(), 180);
  EXPECT_EQ(m.reasonPhrase(), "Ringing");
  EXPECT_EQ(m.to()->tag, "a6c85cf");
  EXPECT_EQ(m.rseq().value(), 988789u);
  EXPECT_TRUE(m.hasOptionTag(HeaderId::Require, "100rel"));
  auto em = m.pEarlyMedia();
  ASSERT_TRUE(em.ok());
  ASSERT_EQ(em->size(), 2u);
  EXPECT_EQ((*em)[1], EarlyMedia::Gated);
  EXPECT_TRUE(m.body().empty());
}

TEST(Message, CompactFormsAndCaseInsensitiveNames) {
  std::string wire =
      "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
      "v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
      "MAX-FORWARDS: 10\r\n"
      "f: <sip:alice@atlanta.com>;tag=1\r\n"
      "t: <sip:bob@biloxi.com>\r\n"
      "i: abc@x\r\n"
      "cseq: 1 INVITE\r\n"
      "m: <sip:alice@a.example.com>\r\n"
      "k: 100rel\r\n"
      "x: 1800;refresher=uas\r\n"
      "c: application/sdp\r\n"
      "e: gzip\r\n"
      "s: hello\r\n"
      "o: presence\r\n"
      "u: talk\r\n"
      "r: <sip:carol@c.example.com>\r\n"
      "b: <sip:alice@atlanta.com>\r\n"
      "a: *;audio\r\n"
      "j: *;video\r\n"
      "d: proxy\r\n"
      "y: abc\r\n"
      "n: <https://x/cert>\r\n"
      "l: 0\r\n"
      "\r\n";
  Message m;
  auto r = m.parse(wire);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(m.topVia()->branch, "z9hG4bK1");
  EXPECT_EQ(m.maxForwards().value(), 10u);
  EXPECT_EQ(m.from()->tag, "1");
  EXPECT_EQ(m.callId().value(), "abc@x");
  EXPECT_EQ(m.contacts()->size(), 1u);
  EXPECT_TRUE(m.hasOptionTag(HeaderId::Supported, "100rel"));
  EXPECT_EQ(m.sessionExpires()->refresher, Refresher::Uas);
  EXPECT_TRUE(m.contentType()->is("application", "sdp"));
  EXPECT_EQ(*m.contentLength(), 0u);
  const HeaderId expected[] = {HeaderId::Via,
                               HeaderId::MaxForwards,
                               HeaderId::From,
                               HeaderId::To,
                               HeaderId::CallId,
                               HeaderId::CSeq,
                               HeaderId::Contact,
                               HeaderId::Supported,
                               HeaderId::SessionExpires,
                               HeaderId::ContentType,
                               HeaderId::ContentEncoding,
                               HeaderId::Subject,
                               HeaderId::Event,
                               HeaderId::AllowEvents,
                               HeaderId::ReferTo,
                               HeaderId::ReferredBy,
                               HeaderId::AcceptContact,
                               HeaderId::RejectContact,
                               HeaderId::RequestDisposition,
                               HeaderId::Identity,
                               HeaderId::IdentityInfo,
                               HeaderId::ContentLength};
  ASSERT_EQ(m.headers().size(), std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    EXPECT_EQ(m.headers()[i].id, expected[i]) << i;
  }
  EXPECT_EQ(m.headers()[0].name, "v");  // name kept as written
}

TEST(Message, FoldedValuesAreUnfoldedAndRawKept) {
  std::string wire =
      "OPTIONS sip:bob@biloxi.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP a.example.com\r\n"
      "  ;branch=z9hG4bK1,\r\n"
      "\tSIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\n"
      "Subject: I know you're there,\r\n"
      "         pick up the phone\r\n"
      "         and talk to me!\r\n"
      "To: <sip:bob@biloxi.com>\r\n"
      "\r\n";
  Message m;
  auto r = m.parse(wire);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(m.headers().size(), 3u);
  EXPECT_EQ(
      m.headers()[0].value,
      "SIP/2.0/UDP a.example.com ;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2");
  EXPECT_EQ(m.headers()[1].value, "I know you're there, pick up the phone and talk to me!");
  EXPECT_EQ(m.headers()[1].line, 5u);
  EXPECT_EQ(m.headers()[2].line, 8u);
  auto vias = m.vias();
  ASSERT_TRUE(vias.ok()) << vias.error().message();
  ASSERT_EQ(vias->size(), 2u);
  EXPECT_EQ((*vias)[1].transport, "TCP");
  EXPECT_EQ((*vias)[1].branch, "z9hG4bK2");
  std::string out;
  serialize(m, out);
  EXPECT_EQ(out, wire);
  // moving the message keeps the unfolded views valid (scratch is heap-backed)
  Message moved = std::move(m);
  EXPECT_EQ(moved.headers()[1].value, "I know you're there, pick up the phone and talk to me!");
}

TEST(Message, MultipleFieldsAndListsCombine) {
  std::string wire =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP "
      "p2.example.com;branch=z9hG4bK2\r\n"
      "Via: SIP/2.0/UDP p3.example.com;branch=z9hG4bK3\r\n"
      "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
      "Reason: Q.850;cause=16;text=\"Normal\", SIP;cause=200\r\n"
      "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"
      "\r\n";
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  auto vias = m.vias();
  ASSERT_TRUE(vias.ok());
  ASSERT_EQ(vias->size(), 3u);
  EXPECT_EQ((*vias)[2].host, "p3.example.com");
  EXPECT_EQ(m.topVia()->host, "p1.example.com");
  auto rr = m.recordRoutes();
  ASSERT_EQ(rr->size(), 2u);
  EXPECT_TRUE((*rr)[1].uri.sip.looseRoute());
  auto reasons = m.reasons();
  ASSERT_EQ(reasons->size(), 2u);
  EXPECT_EQ(*(*reasons)[0].cause, 16u);
  EXPECT_EQ((*reasons)[1].protocol, "SIP");
  int dates = 0;
  m.forEachValue(HeaderId::Date, [&](std::string_view v, const HeaderField&) {
    EXPECT_EQ(v, "Sat, 13 Nov 2010 23:29:00 GMT");  // not a list header: no comma split
    ++dates;
    return true;
  });
  EXPECT_EQ(dates, 1);
  EXPECT_TRUE(m.body().empty());  // no Content-Length on a datagram: the rest is the body
}

TEST(Message, InteropHeaders) {
  std::string wire =
      "INVITE sip:+4930123456@gw.example.net;user=phone SIP/2.0\r\n"
      "Via: SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bKv6\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:+4940111@atlanta.com;user=phone>;tag=1\r\n"
      "To: <sip:+4930123456@gw.example.net;user=phone>\r\n"
      "Call-ID: x@y\r\n"
      "CSeq: 2 INVITE\r\n"
      "Privacy: id;header\r\n"
      "History-Info: <sip:+4930999@example.net>;index=1, "
      "<sip:+4930123456@example.net>;index=1.1;rc=1\r\n"
      "Diversion: <tel:+4930999>;reason=no-answer;counter=1\r\n"
      "Info-Package: g.3gpp.dtmf\r\n"
      "Recv-Info: g.3gpp.dtmf, nosuch.pkg\r\n"
      "Session-Expires: 1800;refresher=uac\r\n"
      "Min-SE: 90\r\n"
      "Expires: 180\r\n"
      "RAck: 1 2 INVITE\r\n"
      "Content-Disposition: session;handling=required\r\n"
      "\r\n";
  Message m;
  auto r = m.parse(wire);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(m.topVia()->host, "[2001:db8::9:1]");
  EXPECT_TRUE(m.privacy()->has(Privacy::kId));
  auto hi = m.historyInfo();
  ASSERT_TRUE(hi.ok()) << hi.error().message();
  ASSERT_EQ(hi->size(), 2u);
  EXPECT_EQ((*hi)[1].index, "1.1");
  EXPECT_EQ((*hi)[1].rc, "1");
  auto div = m.diversions();
  ASSERT_EQ(div->size(), 1u);
  EXPECT_EQ((*div)[0].reason, "no-answer");
  EXPECT_EQ(m.infoPackage()->name, "g.3gpp.dtmf");
  EXPECT_EQ(m.recvInfo()->size(), 2u);
  EXPECT_EQ(m.sessionExpires()->delta, 1800u);
  EXPECT_EQ(m.minSE()->delta, 90u);
  EXPECT_EQ(m.expires().value(), 180u);
  EXPECT_EQ(m.rack()->rseq, 1u);
  EXPECT_EQ(m.contentDisposition()->handling, Handling::Required);
  EXPECT_EQ(m.rseq().error().code, ParseErrc::MissingHeader);
}

TEST(Message, TypedErrorsCarryLineAndHeader) {
  std::string wire =
      "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
      "CSeq: abc INVITE\r\n"
      "From: <sip:a@b>;tag=1\r\n"
      "From: <sip:c@d>;tag=2\r\n"
      "\r\n";
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());  // the scanner is fine; typed access reports
  auto& cseq = m.cseq();
  ASSERT_FALSE(cseq.ok());
  EXPECT_EQ(cseq.error().line, 3u);
  EXPECT_EQ(cseq.error().message(), "line 3: CSeq: bad sequence number");
  ASSERT_FALSE(m.from().ok());
  EXPECT_EQ(m.from().error().code, ParseErrc::DuplicateHeader);
  EXPECT_EQ(m.from().error().line, 5u);
  EXPECT_EQ(m.to().error().code, ParseErrc::MissingHeader);
}

TEST(Message, StartLineErrors) {
  auto code = [](std::string_view s) {
    Message m;
    auto r = m.parse(s);
    return r ? ParseErrc::Empty : r.error().code;
  };
  EXPECT_EQ(code("INVITE sip:a@b SIP/3.0\r\n\r\n"), ParseErrc::BadVersion);
  EXPECT_EQ(code("INVITE  sip:a@b SIP/2.0\r\n\r\n"), ParseErrc::BadStartLine);
  EXPECT_EQ(code("INVITE sip:a@b\r\n\r\n"), ParseErrc::BadStartLine);
  EXPECT_EQ(code("INV(ITE sip:a@b SIP/2.0\r\n\r\n"), ParseErrc::BadMethod);
  EXPECT_EQ(code("INVITE <sip:a@b> SIP/2.0\r\n\r\n"), ParseErrc::BadRequestUri);
  EXPECT_EQ(code("SIP/2.0 99 Low\r\n\r\n"), ParseErrc::BadStatusCode);
  EXPECT_EQ(code("SIP/2.0 700 High\r\n\r\n"), ParseErrc::BadStatusCode);
  EXPECT_EQ(code("SIP/2.0 2000 OK\r\n\r\n"), ParseErrc::BadStatusCode);
  EXPECT_EQ(code("\r\n\r\n"), ParseErrc::Empty);
  EXPECT_EQ(code("INVITE sip:a@b SIP/2.0\r\nVia: x\r\n"), ParseErrc::MissingEmptyLine);
  EXPECT_EQ(code("INVITE sip:a@b SIP/2.0\r\n continuation\r\n\r\n"), ParseErrc::BadHeaderLine);
  EXPECT_EQ(code("INVITE sip:a@b SIP/2.0\r\nNoColon\r\n\r\n"), ParseErrc::BadHeaderLine);
  EXPECT_EQ(code("INVITE sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n"), ParseErrc::BadHeaderLine);
}

TEST(Message, LeadingCrlfSkippedAndEmptyReason) {
  Message m;
  ASSERT_TRUE(m.parse("\r\n\r\nSIP/2.0 100 \r\nContent-Length: 0\r\n\r\n").ok());
  EXPECT_EQ(m.statusCode(), 100);
  EXPECT_EQ(m.reasonPhrase(), "");
}

TEST(Message, ContentLengthFraming) {
  Message m;
  // datagram with trailing bytes beyond Content-Length: excess ignored (§18.3)
  ASSERT_TRUE(m.parse("SIP/2.0 200 OK\r\nContent-Length: 3\r\n\r\nabcdef").ok());
  EXPECT_EQ(m.body(), "abc");
  auto t = m.parse("SIP/2.0 200 OK\r\nContent-Length: 9999\r\n\r\nabc");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ParseErrc::TruncatedBody);
  auto n = m.parse("SIP/2.0 200 OK\r\nContent-Length: -999\r\n\r\n");
  EXPECT_EQ(n.error().code, ParseErrc::BadContentLength);
  EXPECT_EQ(n.error().line, 2u);
  auto c = m.parse("SIP/2.0 200 OK\r\nl: 3\r\nContent-Length: 4\r\n\r\nabcd");
  EXPECT_EQ(c.error().code, ParseErrc::BadContentLength);
}

TEST(Message, Limits) {
  ParseLimits lim;
  lim.maxHeaders = 3;
  Message m;
  auto r = m.parse("SIP/2.0 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", lim);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ParseErrc::TooManyHeaders);
  EXPECT_EQ(r.error().line, 5u);

  std::string many = "SIP/2.0 200 OK\r\n";
  for (int i = 0; i < 65; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  many += "\r\n";
  auto r2 = m.parse(many);  // default limit: capped at the inline capacity of 64
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().message(), "line 66: too many headers");

  lim = ParseLimits{};
  lim.maxLineLength = 40;
  auto r3 = m.parse("SIP/2.0 200 OK\r\nX-Long: " + std::string(64, 'a') + "\r\n\r\n", lim);
  EXPECT_EQ(r3.error().code, ParseErrc::LineTooLong);

  lim = ParseLimits{};
  lim.maxBodySize = 4;
  auto r4 = m.parse("SIP/2.0 200 OK\r\nContent-Length: 5\r\n\r\n12345", lim);
  EXPECT_EQ(r4.error().code, ParseErrc::BodyTooLarge);

  lim = ParseLimits{};
  lim.maxMessageSize = 10;
  auto r5 = m.parse("SIP/2.0 200 OK\r\n\r\n", lim);
  EXPECT_EQ(r5.error().code, ParseErrc::MessageTooLarge);
}

TEST(Message, TooManyValuesInTypedList) {
  std::string wire =
      "SIP/2.0 200 OK\r\nP-Asserted-Identity: <sip:a@b>, <tel:+1>, <sip:c@d>\r\n\r\n";
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  auto pai = m.pAssertedIdentities();
  ASSERT_FALSE(pai.ok());
  EXPECT_EQ(pai.error().code, ParseErrc::TooManyValues);
}

TEST(Message, BareLfAcceptedAndReproduced) {
  std::string wire = "SIP/2.0 200 OK\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nContent-Length: 2\n\nhi";
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_EQ(m.topVia()->host, "h");
  EXPECT_EQ(m.body(), "hi");
  std::string out;
  serialize(m, out);
  EXPECT_EQ(out, wire);
}

TEST(Message, EditingAndReserialise) {
  std::string wire = makeInvite();
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  // a proxy: push a Via, decrement Max-Forwards, drop the vendor header, new body
  ASSERT_TRUE(m.insertHeader(0, "Via", "SIP/2.0/TCP gw.example.net;branch=z9hG4bKgw1"));
  for (std::size_t i = 0; i < m.headers().size(); ++i) {
    if (m.headers()[i].id == HeaderId::MaxForwards) m.setHeaderValue(i, "69");
  }
  for (std::size_t i = 0; i < m.headers().size(); ++i) {
    if (m.headers()[i].id == HeaderId::Other) m.removeHeader(i);
  }
  m.setBody("v=0\r\n");
  EXPECT_EQ(m.topVia()->host, "gw.example.net");
  EXPECT_EQ(m.maxForwards().value(), 69u);
  std::string out;
  serialize(m, out);
  EXPECT_NE(out.find("Via: SIP/2.0/TCP gw.example.net;branch=z9hG4bKgw1\r\nVia: SIP/2.0/UDP"),
            std::string::npos);
  EXPECT_NE(out.find("Max-Forwards: 69\r\n"), std::string::npos);
  EXPECT_EQ(out.find("X-Vendor"), std::string::npos);
  EXPECT_NE(out.find("Content-Length: 5\r\n\r\nv=0\r\n"), std::string::npos);
  Message again;
  ASSERT_TRUE(again.parse(out).ok());
  EXPECT_TRUE(again == m);
  EXPECT_EQ(serializedSize(m), out.size());
}

}  // namespace
}  // namespace siptgw::sip
