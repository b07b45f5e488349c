// Properties over random IAMs (tests/isup/generators): inviteFromIam either refuses with a
// SIP error and a Q.850 cause, or produces URIs that sip/ parses and whose numbers read
// back; iamFromInvite on the resulting INVITE then gives an IAM that encodes.
#include <random>

#include <gtest/gtest.h>

#include "../isup/generators.h"
#include "helpers.h"
#include "mapping/isup_to_sip.h"
#include "mapping/sip_to_isup.h"
#include "sip/headers.h"

namespace siptgw::mapping {
namespace {

TEST(MappingProperty, RandomIamsMapOrRefuseCleanly) {
  std::mt19937 rng(20261121);
  const Profile profile = test::germanRfc3398();
  int mapped = 0, refused = 0;
  for (int i = 0; i < 2000; ++i) {
    const isup::Variant v = i % 2 ? isup::Variant::Ansi : isup::Variant::Itu;
    isup::Message iam = isup::testing::randomMessage(rng, v, isup::MessageType::IAM);
    // Three in four get a decimal called number and a speech TMR, so that both outcomes
    // are common; the rest keep the generator's arbitrary signals and TMR.
    if (i % 4 != 0) {
      auto* cdpn = iam.get<isup::Number>(isup::ParamCode::CalledPartyNumber);
      ASSERT_NE(cdpn, nullptr);
      std::string digits;
      for (std::size_t k = 0, n = 1 + rng() % 15; k < n; ++k) digits += char('0' + rng() % 10);
      ASSERT_TRUE(cdpn->digits.assign(digits));
      if (auto* tmr = iam.get<isup::Octet>(isup::ParamCode::TransmissionMediumRequirement))
        tmr->value = 0;
      if (auto* hc = iam.get<isup::HopCounter>(isup::ParamCode::HopCounter))
        hc->hop_counter = static_cast<uint8_t>(1 + hc->hop_counter % 31);
    }
    IsupToSipOptions opts;
    if (i % 3 == 0) opts.host = "core.example.net";
    auto parts = inviteFromIam(iam, opts, profile);
    if (!parts) {
      ++refused;
      EXPECT_GE(parts.error().status, 400);
      EXPECT_LE(parts.error().status, 699);
      EXPECT_GE(parts.error().cause, 1);
      EXPECT_LE(parts.error().cause, 127);
      EXPECT_NE(parts.error().reason, "Unknown");
      continue;
    }
    ++mapped;
    auto ruri = sip::parseUri(parts->requestUri);
    ASSERT_TRUE(ruri.ok()) << parts->requestUri;
    for (const std::string* h : {&parts->to, &parts->from}) {
      auto na = sip::parseNameAddr(*h);
      ASSERT_TRUE(na.ok()) << "[" << *h << "] from IAM number " << i;
    }
    if (!parts->pai.empty()) {
      ASSERT_TRUE(sip::parseNameAddr(parts->pai).ok()) << parts->pai;
    }
    EXPECT_GE(parts->maxForwards, 1);
    EXPECT_LE(parts->maxForwards, profile.maxForwards);

    // And back: the INVITE these parts describe maps to an IAM that encodes.
    test::Sip inv(test::invite(parts->requestUri,
                               "From: " + parts->from + ";tag=x\r\nTo: " + parts->to +
                                   "\r\nMax-Forwards: " + std::to_string(parts->maxForwards) +
                                   "\r\n" + parts->extraHeaders()));
    auto called = calledFromRequestUri(inv.msg, profile, v == isup::Variant::Ansi);
    if (!called) {
      // Only local numbers without a context the profile understands may be refused.
      EXPECT_EQ(called.error().status, 484) << parts->requestUri;
      continue;
    }
    SipToIsupOptions so;
    so.variant = v;
    so.trustedPeer = true;
    auto back = iamFromInvite(inv.msg, *called, so, profile);
    ASSERT_TRUE(back.ok()) << back.error().detail;
    std::vector<uint8_t> bytes;
    EXPECT_TRUE(isup::encode(*back, bytes)) << parts->requestUri;
  }
  // The generator must exercise both outcomes, or this test proves nothing.
  EXPECT_GT(mapped, 100);
  EXPECT_GT(refused, 10);
}

}  // namespace
}  // namespace siptgw::mapping
