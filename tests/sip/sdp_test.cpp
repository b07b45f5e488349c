// SDP (RFC 4566) parsing, typed lines, round trip; RFC 3312/4032 precondition attributes.
#include "sip/sdp.h"

#include <gtest/gtest.h>

#include "sip_samples.h"

namespace siptgw::sip {
namespace {

const std::string kPrecondSdp =
    "v=0\r\n"
    "o=- 1234 5678 IN IP6 2001:db8::1\r\n"
    "s= \r\n"
    "c=IN IP6 2001:db8::2\r\n"
    "b=AS:64\r\n"
    "t=0 0\r\n"
    "a=recvonly\r\n"
    "m=audio 20000 RTP/AVP 8 97\r\n"
    "b=TIAS:64000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:97 AMR/8000/1\r\n"
    "a=fmtp:97 mode-set=0,2,5,7; mode-change-period=2\r\n"
    "a=ptime:20\r\n"
    "a=curr:qos local none\r\n"
    "a=curr:qos remote sendrecv\r\n"
    "a=des:qos mandatory local sendrecv\r\n"
    "a=des:qos optional remote send\r\n"
    "a=conf:qos e2e recv\r\n"
    "a=sendonly\r\n"
    "m=image 0 udptl t38\r\n";

TEST(Sdp, ParsesTypicalOffer) {
  auto r = parseSdp(test::kInviteSdp);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const SessionDescription& s = r.value();
  EXPECT_EQ(s.origin().username, "alice");
  EXPECT_EQ(s.origin().sessId, "2890844526");
  EXPECT_EQ(s.origin().address, "pc33.atlanta.com");
  EXPECT_EQ(s.sessionName(), "-");
  EXPECT_EQ(s.connection()->address, "192.0.2.101");
  ASSERT_EQ(s.media.size(), 1u);
  auto m = s.media[0].mediaLine();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->media, "audio");
  EXPECT_EQ(m->port, 49172);
  EXPECT_EQ(m->proto, "RTP/AVP");
  EXPECT_EQ(m->formats, "0 8 101");
  auto te = s.media[0].rtpmap(101);
  ASSERT_TRUE(te.has_value());
  EXPECT_EQ(te->encoding, "telephone-event");
  EXPECT_EQ(te->clockRate, 8000u);
  EXPECT_EQ(s.media[0].fmtp("101")->params, "0-15");
  EXPECT_EQ(*s.media[0].ptime(), 20u);
  EXPECT_EQ(s.direction(0), SdpDirection::SendRecv);
  std::string out;
  serialize(s, out);
  EXPECT_EQ(out, test::kInviteSdp);
}

// parseSdp keeps the m= line it validated; a section whose m= line is replaced afterwards
// (or one built by hand) is read from its current text, never from the kept parse.
TEST(Sdp, MediaLineFollowsAnEditedMLine) {
  auto r = parseSdp(test::kInviteSdp);
  ASSERT_TRUE(r.ok());
  SessionDescription s = r.value();
  ASSERT_EQ(s.media[0].mediaLine()->port, 49172);
  s.media[0].lines[0].value = "audio 0 RTP/AVP 8";
  auto m = s.media[0].mediaLine();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->port, 0);
  EXPECT_EQ(m->formats, "8");
  s.media[0].lines[0].value = "audio port RTP/AVP 8";
  EXPECT_FALSE(s.media[0].mediaLine().ok());
  SessionDescription built;
  built.addMedia("audio 30000 RTP/AVP 0");
  EXPECT_EQ(built.media[0].mediaLine()->port, 30000);
  // A copy keeps what it parsed from: the views still point into the same body.
  const SessionDescription copy = r.value();
  EXPECT_EQ(copy.media[0].mediaLine()->formats, "0 8 101");
}

TEST(Sdp, PreconditionsDirectionsAndRoundTrip) {
  auto r = parseSdp(kPrecondSdp);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const SessionDescription& s = r.value();
  EXPECT_EQ(s.origin().addrType, "IP6");
  ASSERT_EQ(s.media.size(), 2u);
  const SdpMedia& audio = s.media[0];
  auto amr = audio.rtpmap(97);
  ASSERT_TRUE(amr);
  EXPECT_EQ(amr->encodingParams, "1");
  EXPECT_EQ(audio.fmtp("97")->params, "mode-set=0,2,5,7; mode-change-period=2");
  auto pre = audio.preconditions();
  ASSERT_EQ(pre.size(), 5u);
  EXPECT_EQ(pre[0].kind, SdpPrecondition::Kind::Curr);
  EXPECT_EQ(pre[0].status, PrecondStatus::Local);
  EXPECT_EQ(pre[0].direction, PrecondDirection::None);
  EXPECT_EQ(pre[1].status, PrecondStatus::Remote);
  EXPECT_EQ(pre[1].direction, PrecondDirection::SendRecv);
  EXPECT_EQ(pre[2].kind, SdpPrecondition::Kind::Des);
  EXPECT_EQ(pre[2].strength, PrecondStrength::Mandatory);
  EXPECT_EQ(pre[3].strength, PrecondStrength::Optional);
  EXPECT_EQ(pre[3].direction, PrecondDirection::Send);
  EXPECT_EQ(pre[4].kind, SdpPrecondition::Kind::Conf);
  EXPECT_EQ(pre[4].status, PrecondStatus::E2E);
  EXPECT_EQ(pre[4].direction, PrecondDirection::Recv);
  EXPECT_EQ(s.direction(0), SdpDirection::SendOnly);  // media level wins
  EXPECT_EQ(s.direction(1), SdpDirection::RecvOnly);  // session level applies
  auto image = s.media[1].mediaLine();
  EXPECT_EQ(image->port, 0);
  EXPECT_EQ(image->formats, "t38");
  std::string out;
  serialize(s, out);
  EXPECT_EQ(out, kPrecondSdp);
  auto again = parseSdp(out);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.value() == s);
}

TEST(Sdp, LfOnlyAndUnterminatedLastLineRoundTrip) {
  std::string lf = "v=0\no=- 1 1 IN IP4 h\ns=x\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 1/2 RTP/AVP 0";
  auto r = parseSdp(lf);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r->media[0].mediaLine()->numPorts, 2);
  std::string out;
  serialize(r.value(), out);
  EXPECT_EQ(out, lf);
}

TEST(Sdp, Errors) {
  auto err = [](std::string_view s) {
    auto r = parseSdp(s);
    return r ? std::string("ok") : r.error().message();
  };
  const std::string head = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";
  EXPECT_EQ(err(head), "ok");
  EXPECT_EQ(err("o=- 1 1 IN IP4 h\r\n"), "line 1: SDP: description must start with v=, o=, s=");
  EXPECT_EQ(err("v=1\r\n"), "line 1: SDP: unsupported SDP version");
  EXPECT_EQ(err("v=0\r\no=- x 1 IN IP4 h\r\ns=-\r\n"),
            "line 2: SDP: o= session id and version must be numeric");
  EXPECT_EQ(err("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n"), "line 2: SDP: o= needs 6 fields");
  EXPECT_EQ(err(head + "m=audio 99999 RTP/AVP 0\r\n"), "line 6: SDP: m= bad port");
  EXPECT_EQ(err(head + "m=audio 5000 RTP/AVP\r\n"),
            "line 6: SDP: m= needs media, port, proto and formats");
  EXPECT_EQ(err(head + "m=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n"),
            "line 7: SDP: a=rtpmap missing clock rate");
  EXPECT_EQ(err(head + "m=audio 5000 RTP/AVP 0\r\na=rtpmap:200 X/8000\r\n"),
            "line 7: SDP: a=rtpmap bad payload type");
  EXPECT_EQ(err(head + "m=audio 5000 RTP/AVP 0\r\na=curr:qos both sendrecv\r\n"),
            "line 7: SDP: precondition: bad status type");
  EXPECT_EQ(err(head + "m=audio 5000 RTP/AVP 0\r\na=des:qos must local sendrecv\r\n"),
            "line 7: SDP: precondition: bad strength tag");
  EXPECT_EQ(err(head + "m=audio 5000 RTP/AVP 0\r\na=conf:qos e2e sideways\r\n"),
            "line 7: SDP: precondition: bad direction tag");
  EXPECT_EQ(err(head + "m=audio 5000 RTP/AVP 0\r\na=ptime:abc\r\n"),
            "line 7: SDP: a=ptime must be a number");
  EXPECT_EQ(err(head + "m=audio 5000 RTP/AVP 0\r\nt=0 0\r\n"),
            "line 7: SDP: line type not allowed in a media section");
  EXPECT_EQ(err(head + "x=unknown\r\n"), "line 6: SDP: unknown line type");
  EXPECT_EQ(err(head + "\r\n"), "line 6: SDP: line is not <type>=<value>");
  EXPECT_EQ(err("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nm=audio 5000 RTP/AVP 0\r\n"),
            "line 4: SDP: m= before any t= line");
  EXPECT_EQ(err("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"),
            "SDP: media section without c= line");
  EXPECT_EQ(err(head + "b=AS\r\n"), "line 6: SDP: b= needs <type>:<bandwidth>");
  EXPECT_EQ(err("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=now 0\r\n"),
            "line 5: SDP: t= needs start and stop times");
}

}  // namespace
}  // namespace siptgw::sip

namespace siptgw::sip {
namespace {

TEST(Sdp, BuildWithPreconditionsAndParseBack) {  // RFC 3312 §5.1 offer shape
  std::string des;
  appendPrecondition({SdpPrecondition::Kind::Des, "qos", PrecondStrength::Mandatory,
                      PrecondStatus::Local, PrecondDirection::SendRecv},
                     des);
  EXPECT_EQ(des, "des:qos mandatory local sendrecv");
  std::string curr;
  appendPrecondition({SdpPrecondition::Kind::Curr, "qos", PrecondStrength::None,
                      PrecondStatus::Remote, PrecondDirection::None},
                     curr);
  EXPECT_EQ(curr, "curr:qos remote none");
  std::string conf;
  appendPrecondition({SdpPrecondition::Kind::Conf, "qos", PrecondStrength::None, PrecondStatus::E2E,
                      PrecondDirection::Recv},
                     conf);
  SessionDescription s;
  s.add('v', "0").add('o', "- 1 1 IN IP4 192.0.2.1").add('s', "-").add('c', "IN IP4 192.0.2.1");
  s.add('t', "0 0").addMedia("audio 4000 RTP/AVP 8").add('a', "rtpmap:8 PCMA/8000");
  s.add('a', curr).add('a', des).add('a', conf);
  std::string out;
  serialize(s, out);
  EXPECT_EQ(out,
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
            "m=audio 4000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=curr:qos remote none\r\n"
            "a=des:qos mandatory local sendrecv\r\na=conf:qos e2e recv\r\n");
  auto back = parseSdp(out);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_TRUE(back.value() == s);
  auto pre = back->media[0].preconditions();
  ASSERT_EQ(pre.size(), 3u);
  EXPECT_EQ(pre[1].strength, PrecondStrength::Mandatory);
  EXPECT_EQ(pre[2].direction, PrecondDirection::Recv);
}

}  // namespace
}  // namespace siptgw::sip
