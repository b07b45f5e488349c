// INVITE → IAM (RFC 3398 §7.2.1.1): SIP text in, IAM out, then through the ISUP codec.
#include <gtest/gtest.h>

#include "helpers.h"
#include "mapping/bearer.h"
#include "mapping/sip_to_isup.h"
#include "sip/multipart.h"

namespace siptgw::mapping {
namespace {

using isup::ParamCode;
using test::Sip;

struct SipToIsup : ::testing::Test {
  Profile profile = test::germanRfc3398();
  SipToIsupOptions opts;
  PartyNumber called = [] {
    PartyNumber n;
    n.digits = "30123456";
    n.noa = noa::kNational;
    return n;
  }();

  Result<isup::Message, Rejection> map(const std::string& text) {
    Sip m(text);
    return iamFromInvite(m.msg, called, opts, profile);
  }
  // Maps and sends the IAM through encode/decode, as the far exchange sees it.
  isup::Message mapWire(const std::string& text) {
    auto r = map(text);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
    return r.ok() ? test::wire(*r) : isup::Message{};
  }
};

TEST_F(SipToIsup, MandatoryParametersFromAPlainInvite) {
  opts.cic = 17;
  isup::Message iam = mapWire(test::invite("tel:+4930123456", test::basicHeaders()));
  EXPECT_EQ(iam.type, isup::MessageType::IAM);
  EXPECT_EQ(iam.cic, 17);
  const auto* cdpn = iam.get<isup::Number>(ParamCode::CalledPartyNumber);
  ASSERT_NE(cdpn, nullptr);
  EXPECT_EQ(cdpn->digits.view(), "30123456");
  EXPECT_EQ(cdpn->nature_of_address, noa::kNational);
  EXPECT_EQ(cdpn->numbering_plan, 1);
  EXPECT_EQ(cdpn->inn, 0);
  const auto* nci = iam.get<isup::NatureOfConnectionIndicators>(ParamCode::NatureOfConnectionIndicators);
  ASSERT_NE(nci, nullptr);
  EXPECT_EQ(nci->satellite, 0);
  EXPECT_EQ(nci->continuity_check, 0);
  EXPECT_EQ(nci->echo_control_device, 0);
  const auto* fci = iam.get<isup::ForwardCallIndicators>(ParamCode::ForwardCallIndicators);
  ASSERT_NE(fci, nullptr);
  // §7.2.1.1 "STRONGLY RECOMMENDED": no interworking, ISUP all the way, non-ISDN access.
  EXPECT_EQ(fci->interworking, 0);
  EXPECT_EQ(fci->isdn_user_part, 1);
  EXPECT_EQ(fci->isdn_access, 0);
  EXPECT_EQ(fci->isdn_user_part_preference, 0);
  EXPECT_EQ(fci->national_international_call, 0);
  EXPECT_EQ(fci->ported_number_translation, 0);
  EXPECT_EQ(iam.get<isup::Octet>(ParamCode::CallingPartysCategory)->value, cpc::kOrdinary);
  EXPECT_EQ(iam.get<isup::Octet>(ParamCode::TransmissionMediumRequirement)->value, 0);  // speech
  const auto* usi = iam.get<isup::UserServiceInformation>(ParamCode::UserServiceInformation);
  ASSERT_NE(usi, nullptr);
  EXPECT_EQ(usi->information_transfer_capability, 0);
  ASSERT_EQ(usi->data.size(), 1u);
  EXPECT_EQ(usi->data[0], 0xA3);  // PCMA offered first → G.711 A-law
  EXPECT_EQ(iam.get<isup::HopCounter>(ParamCode::HopCounter)->hop_counter, 31);  // 70 → max 31
}

TEST_F(SipToIsup, ProfileAndOptionsDriveIndicators) {
  profile.signalInterworking = true;
  profile.isupPreference = 2;
  opts.echoControlIncluded = true;
  opts.callingCategory = cpc::kPayphone;
  opts.internationalCall = true;
  isup::Message iam = mapWire(test::invite("tel:+4930123456", test::basicHeaders()));
  const auto* fci = iam.get<isup::ForwardCallIndicators>(ParamCode::ForwardCallIndicators);
  EXPECT_EQ(fci->interworking, 1);
  EXPECT_EQ(fci->isdn_user_part, 0);
  EXPECT_EQ(fci->isdn_user_part_preference, 2);
  EXPECT_EQ(fci->national_international_call, 1);
  EXPECT_EQ(iam.get<isup::NatureOfConnectionIndicators>(ParamCode::NatureOfConnectionIndicators)
                ->echo_control_device, 1);
  EXPECT_EQ(iam.get<isup::Octet>(ParamCode::CallingPartysCategory)->value, cpc::kPayphone);
}

TEST_F(SipToIsup, CallingFromPaiOnlyForTrustedPeers) {
  const std::string text = test::invite(
      "tel:+4930123456",
      test::basicHeaders("\"Bob\" <sip:+4940999@peer.example.net;user=phone>") +
          "P-Asserted-Identity: <sip:+4940111@peer.example.net;user=phone>, <tel:+4940222;cpc=test>\r\n");
  // Untrusted: From, "user provided".
  isup::Message iam = mapWire(text);
  const auto* cgpn = iam.get<isup::Number>(ParamCode::CallingPartyNumber);
  ASSERT_NE(cgpn, nullptr);
  EXPECT_EQ(cgpn->digits.view(), "40999");
  EXPECT_EQ(cgpn->nature_of_address, noa::kNational);
  EXPECT_EQ(cgpn->screening, 1);  // ITU: user provided, verified and passed
  EXPECT_EQ(cgpn->presentation, 0);
  EXPECT_EQ(iam.get<isup::Octet>(ParamCode::CallingPartysCategory)->value, cpc::kOrdinary);
  // Trusted: the tel PAI wins over the sip one, network provided, cpc honoured.
  opts.trustedPeer = true;
  iam = mapWire(text);
  cgpn = iam.get<isup::Number>(ParamCode::CallingPartyNumber);
  ASSERT_NE(cgpn, nullptr);
  EXPECT_EQ(cgpn->digits.view(), "40222");
  EXPECT_EQ(cgpn->screening, 3);
  EXPECT_EQ(iam.get<isup::Octet>(ParamCode::CallingPartysCategory)->value, cpc::kTest);
  // ANSI: user provided is "not screened" (0).
  opts.trustedPeer = false;
  opts.variant = isup::Variant::Ansi;
  iam = mapWire(text);
  EXPECT_EQ(iam.get<isup::Number>(ParamCode::CallingPartyNumber)->screening, 0);
}

TEST_F(SipToIsup, PrivacyRestrictsPresentation) {
  opts.trustedPeer = true;
  for (std::string_view privacy : {"id", "user", "header", "header;user;id;critical"}) {
    isup::Message iam = mapWire(test::invite(
        "tel:+4930123456",
        test::basicHeaders("\"Anonymous\" <sip:anonymous@anonymous.invalid>") +
            "P-Asserted-Identity: <tel:+4940111>\r\nPrivacy: " + std::string(privacy) + "\r\n"));
    const auto* cgpn = iam.get<isup::Number>(ParamCode::CallingPartyNumber);
    ASSERT_NE(cgpn, nullptr) << privacy;
    EXPECT_EQ(cgpn->presentation, 1) << privacy;
    EXPECT_EQ(cgpn->digits.view(), "40111");
  }
  isup::Message none = mapWire(test::invite(
      "tel:+4930123456", test::basicHeaders() + "P-Asserted-Identity: <tel:+4940111>\r\nPrivacy: none\r\n"));
  EXPECT_EQ(none.get<isup::Number>(ParamCode::CallingPartyNumber)->presentation, 0);
  // An anonymous From with no trusted identity: no calling party number at all (§7.2.1.1).
  opts.trustedPeer = false;
  isup::Message anon = mapWire(test::invite(
      "tel:+4930123456", test::basicHeaders("<sip:anonymous@anonymous.invalid>") +
                             "P-Asserted-Identity: <tel:+4940111>\r\n"));
  EXPECT_EQ(anon.find(ParamCode::CallingPartyNumber), nullptr);
  // A From without a number: none either, and the call still proceeds.
  isup::Message alice =
      mapWire(test::invite("tel:+4930123456", test::basicHeaders("<sip:alice@example.com>")));
  EXPECT_EQ(alice.find(ParamCode::CallingPartyNumber), nullptr);
}

TEST_F(SipToIsup, BearerFromSdp) {
  const std::string_view clearmode =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
      "m=audio 4000 RTP/AVP 97\r\na=rtpmap:97 CLEARMODE/8000\r\n";
  isup::Message iam = mapWire(test::invite("tel:+4930123456", test::basicHeaders(), clearmode));
  EXPECT_EQ(iam.get<isup::Octet>(ParamCode::TransmissionMediumRequirement)->value, 2);
  const auto* usi = iam.get<isup::UserServiceInformation>(ParamCode::UserServiceInformation);
  EXPECT_EQ(usi->information_transfer_capability, 8);
  EXPECT_TRUE(usi->data.empty());
  opts.allowClearmode = false;
  auto refused = map(test::invite("tel:+4930123456", test::basicHeaders(), clearmode));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().status, 488);
  EXPECT_EQ(refused.error().cause, 65);

  // PCMU static payload type only, µ-law; 3.1 kHz on request.
  const std::string_view pcmu =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
      "m=audio 4000 RTP/AVP 0\r\n";
  opts.audio3k1 = true;
  iam = mapWire(test::invite("tel:+4930123456", test::basicHeaders(), pcmu));
  EXPECT_EQ(iam.get<isup::Octet>(ParamCode::TransmissionMediumRequirement)->value, 3);
  usi = iam.get<isup::UserServiceInformation>(ParamCode::UserServiceInformation);
  EXPECT_EQ(usi->information_transfer_capability, 0x10);
  EXPECT_EQ(usi->data[0], 0xA2);

  // Only G.729 (and a declined PCMA stream): 488 / 65.
  const std::string_view g729 =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
      "m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\nm=audio 0 RTP/AVP 8\r\n";
  auto bad = map(test::invite("tel:+4930123456", test::basicHeaders(), g729));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status, 488);
  EXPECT_EQ(bad.error().reason, "Not Acceptable Here");
  EXPECT_EQ(bad.error().cause, 65);
}

// The caller's already parsed offer is what the bearer comes from (the body is not parsed
// again): a clearmode offer passed in gives 64 kbit/s unrestricted for a PCMA body.
TEST_F(SipToIsup, BearerFromTheOfferTheCallerParsed) {
  const std::string_view clearmode =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
      "m=audio 4000 RTP/AVP 97\r\na=rtpmap:97 CLEARMODE/8000\r\n";
  auto offer = sip::parseSdp(clearmode);
  ASSERT_TRUE(offer);
  opts.offer = &*offer;
  isup::Message iam = mapWire(test::invite("tel:+4930123456", test::basicHeaders()));
  EXPECT_EQ(iam.get<isup::Octet>(ParamCode::TransmissionMediumRequirement)->value, 2);
  opts.offer = nullptr;
  iam = mapWire(test::invite("tel:+4930123456", test::basicHeaders()));
  EXPECT_EQ(iam.get<isup::Octet>(ParamCode::TransmissionMediumRequirement)->value, 0);
}

TEST_F(SipToIsup, LateOfferIsSpeech) {
  isup::Message iam = mapWire(test::invite("tel:+4930123456", test::basicHeaders(), ""));
  EXPECT_EQ(iam.get<isup::Octet>(ParamCode::TransmissionMediumRequirement)->value, 0);
}

TEST_F(SipToIsup, SdpInsideMultipart) {
  std::string sdp(test::kSdpPcma);
  sdp.replace(sdp.find("8 0 101"), 7, "0 8 101");
  std::string body;
  ASSERT_TRUE(sip::buildSdpIsupBody(body, "b0undary", sdp, std::string_view("\x01\x00\x00", 3)));
  isup::Message iam = mapWire(test::invite("tel:+4930123456", test::basicHeaders(), body,
                                           "multipart/mixed;boundary=b0undary"));
  const auto* usi = iam.get<isup::UserServiceInformation>(ParamCode::UserServiceInformation);
  ASSERT_NE(usi, nullptr);
  EXPECT_EQ(usi->data[0], 0xA2);  // PCMU listed first in the SDP part
  auto broken = map(test::invite("tel:+4930123456", test::basicHeaders(), "garbage",
                                 "multipart/mixed;boundary=zz"));
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().status, 400);
}

TEST_F(SipToIsup, HopCounterFromMaxForwards) {
  isup::Message iam =
      mapWire(test::invite("tel:+4930123456", test::basicHeaders("<tel:+4940111>", "<tel:+4930123456>", 12)));
  EXPECT_EQ(iam.get<isup::HopCounter>(ParamCode::HopCounter)->hop_counter, 12);
  profile.maxForwardsPerHop = 5;
  EXPECT_EQ(hopCounterForMaxForwards(12, profile), 3);
  EXPECT_EQ(hopCounterForMaxForwards(70, profile), 14);
  EXPECT_EQ(hopCounterForMaxForwards(1, profile), 1);
  auto loop = map(test::invite("tel:+4930123456", test::basicHeaders("<tel:+4940111>", "<tel:+4930123456>", 0)));
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.error().status, 483);
  EXPECT_EQ(loop.error().cause, 25);
  profile.sendHopCounter = false;
  iam = mapWire(test::invite("tel:+4930123456", test::basicHeaders()));
  EXPECT_EQ(iam.find(ParamCode::HopCounter), nullptr);
}

TEST_F(SipToIsup, OriginalCalledNumberWhenToDiffers) {
  isup::Message same = mapWire(test::invite("tel:+4930123456", test::basicHeaders()));
  EXPECT_EQ(same.find(ParamCode::OriginalCalledNumber), nullptr);
  isup::Message fwd = mapWire(test::invite(
      "tel:+4930123456", test::basicHeaders("<tel:+4940111>", "<tel:+4989777>")));
  const auto* ocn = fwd.get<isup::Number>(ParamCode::OriginalCalledNumber);
  ASSERT_NE(ocn, nullptr);
  EXPECT_EQ(ocn->digits.view(), "89777");
  EXPECT_EQ(ocn->nature_of_address, noa::kNational);
}

TEST_F(SipToIsup, PortedNumberAndCarrier) {
  called.npdi = true;
  called.carrier = "5062";
  isup::Message iam = mapWire(test::invite("tel:+4930123456", test::basicHeaders()));
  EXPECT_EQ(iam.get<isup::ForwardCallIndicators>(ParamCode::ForwardCallIndicators)
                ->ported_number_translation, 1);
  const auto* tns = iam.get<isup::Number>(ParamCode::TransitNetworkSelection);
  ASSERT_NE(tns, nullptr);
  EXPECT_EQ(tns->digits.view(), "5062");
  // ANSI: routing number in the CPN, dialled number in the generic address, CIP.
  opts.variant = isup::Variant::Ansi;
  called.digits = "2025440000";
  called.dialledDigits = "2025332699";
  called.dialledNoa = noa::kNational;
  isup::Message ansi = mapWire(test::invite("tel:+12025332699", test::basicHeaders()));
  EXPECT_EQ(ansi.get<isup::Number>(ParamCode::CalledPartyNumber)->digits.view(), "2025440000");
  const auto* gap = ansi.get<isup::Number>(ParamCode::GenericAddress);
  ASSERT_NE(gap, nullptr);
  EXPECT_EQ(gap->digits.view(), "2025332699");
  const auto* cip = ansi.get<isup::CarrierIdentification>(ParamCode::CarrierIdentification);
  ASSERT_NE(cip, nullptr);
  EXPECT_EQ(cip->digits.view(), "5062");
  EXPECT_EQ(ansi.find(ParamCode::TransmissionMediumRequirement), nullptr);  // ANSI: USI only
  EXPECT_NE(ansi.find(ParamCode::UserServiceInformation), nullptr);
}

TEST_F(SipToIsup, EmptyCalledNumberIs484) {
  called.digits.clear();
  auto r = map(test::invite("tel:+4930123456", test::basicHeaders()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 484);
  EXPECT_EQ(r.error().cause, 28);
}

}  // namespace
}  // namespace siptgw::mapping
