// Message framing tests from octet strings laid out as Q.763 §1 and its message tables
// describe them (ITU), and T1.113 (ANSI). Each decode is checked field by field and
// re-encoded to the same octets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "isup/codec.h"
#include "isup/json.h"

namespace siptgw::isup {
namespace {

std::vector<uint8_t> hex(std::string_view h) { return fromHex(h).value(); }

Message decodeOk(std::string_view h, Variant v = Variant::Itu) {
  auto r = decode(hex(h), v);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe(v));
  if (!r.ok()) return {};
  std::vector<uint8_t> again;
  EXPECT_TRUE(encode(*r, again));
  EXPECT_EQ(toHex(again), toHex(hex(h))) << "re-encode differs";
  return *r;
}

DecodeError decodeErr(std::string_view h, Variant v = Variant::Itu) {
  auto r = decode(hex(h), v);
  EXPECT_FALSE(r.ok());
  return r.ok() ? DecodeError{} : r.error();
}

// IAM, CIC 17: NCI 00; FCI 2000 (ISDN user part used all the way); CPC 0a (ordinary
// subscriber); TMR 03 (3.1 kHz audio); pointers 02 (called party number), 09 (optional
// part); called party number 07 03 90 6021436587 (even, national, INN=1, ISDN plan,
// "0612345678"); optional calling party number 0a 06 83 13 60896705 (odd, national,
// ISDN, presentation allowed, network provided, "0698765"); end of optional parameters.
constexpr std::string_view kIam = "1100" "01" "00" "2000" "0a" "03" "0209" "07039060214365870a" "06831360896705" "00";

TEST(Codec, IamItuDecodesEveryField) {
  Message m = decodeOk("1100010020000a03020907039060214365870a0683136089670500");
  (void)kIam;
  EXPECT_EQ(m.cic, 17);
  EXPECT_EQ(m.type, MessageType::IAM);
  ASSERT_EQ(m.mandatory.size(), 5u);
  EXPECT_EQ(m.get<ForwardCallIndicators>(ParamCode::ForwardCallIndicators)->isdn_user_part, 1);
  EXPECT_EQ(m.get<Octet>(ParamCode::CallingPartysCategory)->value, 0x0a);
  EXPECT_EQ(m.get<Octet>(ParamCode::TransmissionMediumRequirement)->value, 3);
  const Number* called = m.get<Number>(ParamCode::CalledPartyNumber);
  ASSERT_NE(called, nullptr);
  EXPECT_EQ(called->digits.view(), "0612345678");
  EXPECT_EQ(called->nature_of_address, 3);
  EXPECT_EQ(called->inn, 1);
  EXPECT_EQ(called->numbering_plan, 1);
  const Number* calling = m.get<Number>(ParamCode::CallingPartyNumber);
  ASSERT_NE(calling, nullptr);
  EXPECT_EQ(calling->digits.view(), "0698765");
  EXPECT_EQ(calling->screening, 3);
  EXPECT_EQ(calling->presentation, 0);
  EXPECT_EQ(calling->filler, 0);
  ASSERT_EQ(m.optional.size(), 1u);
}

TEST(Codec, ReleaseWithCauseAndNoOptionalPart) {
  // REL: pointer 02 to cause, optional pointer 00; cause 82 90 = ITU coding, location 2
  // (public network serving the local user), cause 16 normal call clearing.
  Message m = decodeOk("11000c0200028290");
  const CauseIndicators* c = m.get<CauseIndicators>(ParamCode::CauseIndicators);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->cause, 16);
  EXPECT_EQ(c->location, 2);
  EXPECT_EQ(c->coding_standard, 0);
  EXPECT_FALSE(c->has_recommendation);
  EXPECT_TRUE(m.optional.empty());
  EXPECT_FALSE(m.empty_optional_part);
}

TEST(Codec, CauseWithRecommendationAndDiagnostics) {
  // Octet 1 ext=0 → octet 1a (recommendation 0 = Q.931), cause 97 (message type
  // non-existent) with the message type as diagnostic.
  Message m = decodeOk("11000c020004" "0280e1aa" "00");
  const CauseIndicators* c = m.get<CauseIndicators>(ParamCode::CauseIndicators);
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->has_recommendation);
  EXPECT_EQ(c->recommendation, 0);
  EXPECT_EQ(c->cause, 97);
  EXPECT_EQ(c->diagnostics.size(), 1u);
  EXPECT_EQ(c->diagnostics[0], 0xaa);
  EXPECT_EQ(c->location, 2);
  ASSERT_EQ(m.trailing.size(), 1u);  // the octet after the message: kept and re-sent
}

TEST(Codec, AcmWithBackwardCallIndicators) {
  // ACM: BCI 16 14 = charge, subscriber free, ordinary subscriber; ISDN user part all the
  // way, ISDN access. Optional: OBCI 29 01 01 (in-band information available).
  Message m = decodeOk("110006161401290101" "00");
  const auto* bci = m.get<BackwardCallIndicators>(ParamCode::BackwardCallIndicators);
  ASSERT_NE(bci, nullptr);
  EXPECT_EQ(bci->charge, 2);
  EXPECT_EQ(bci->called_partys_status, 1);
  EXPECT_EQ(bci->called_partys_category, 1);
  EXPECT_EQ(bci->isdn_user_part, 1);
  EXPECT_EQ(bci->isdn_access, 1);
  EXPECT_EQ(m.get<OptionalBackwardCallIndicators>(ParamCode::OptionalBackwardCallIndicators)->inband_information, 1);
}

TEST(Codec, AnswerWithoutParameters) {
  Message m = decodeOk("11000900");
  EXPECT_EQ(m.type, MessageType::ANM);
  EXPECT_TRUE(m.mandatory.empty());
  EXPECT_TRUE(m.optional.empty());
}

TEST(Codec, EmptyOptionalPartIsKeptDistinctFromPointerZero) {
  Message m = decodeOk("1100090100");  // pointer 1 → end of optional parameters only
  EXPECT_TRUE(m.empty_optional_part);
}

TEST(Codec, CircuitGroupMessages) {
  Message grs = decodeOk("1f00170101" "1f");  // GRS CIC 31, range 31 (32 circuits)
  EXPECT_EQ(grs.cic, 31);
  EXPECT_EQ(grs.get<RangeAndStatus>(ParamCode::RangeAndStatus)->range, 31);
  EXPECT_TRUE(grs.get<RangeAndStatus>(ParamCode::RangeAndStatus)->status.empty());

  // CGB: hardware failure oriented (type 1), range 7, status 0b10000001.
  Message cgb = decodeOk("0100180101020781");
  EXPECT_EQ(cgb.get<CircuitGroupSupervisionMessageType>(ParamCode::CircuitGroupSupervisionMessageType)->type, 1);
  const auto* rs = cgb.get<RangeAndStatus>(ParamCode::RangeAndStatus);
  ASSERT_EQ(rs->status.size(), 1u);
  EXPECT_EQ(rs->status[0], 0x81);

  // CQR: range 2 + status, and three circuit state octets.
  Message cqr = decodeOk("01002b0204020200" "03000102");
  EXPECT_EQ(cqr.get<CircuitStateIndicator>(ParamCode::CircuitStateIndicator)->data.size(), 3u);
}

TEST(Codec, UnknownOptionalParametersPassOnVerbatimAndInOrder) {
  // ACM with an unknown parameter 0xfa between two known ones.
  Message m = decodeOk("11000616140129010afa03010203" "3d011f" "00");
  ASSERT_EQ(m.optional.size(), 3u);
  EXPECT_EQ(code(m.optional[1].code), 0xfa);
  const Opaque* o = std::get_if<Opaque>(&m.optional[1].value);
  ASSERT_NE(o, nullptr);
  EXPECT_FALSE(o->recognized);
  EXPECT_EQ(o->data.size(), 3u);
  EXPECT_EQ(m.get<HopCounter>(ParamCode::HopCounter)->hop_counter, 31);
}

TEST(Codec, KnownParameterWithContentsThatDoNotFitIsKeptVerbatim) {
  // Optional hop counter with 2 octets instead of 1: recognized, kept as received.
  Message m = decodeOk("11000901" "3d02ff01" "00");
  const Opaque* o = std::get_if<Opaque>(&m.optional[0].value);
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->recognized);
}

TEST(Codec, UnknownMessageTypeKeepsBody) {
  Message m = decodeOk("110077010203");
  EXPECT_EQ(code(m.type), 0x77);
  EXPECT_EQ(m.body.size(), 3u);
}

TEST(Codec, SpareBitsArePreserved) {
  // CIC spare bits set; called party number with its spare nibble set (0x9f).
  Message m = decodeOk("11f0010020000a030200" "06039f21436587");
  EXPECT_EQ(m.cic, 0x011);
  EXPECT_EQ(m.cic_spare, 0xf);
  EXPECT_EQ(m.get<Number>(ParamCode::CalledPartyNumber)->spare, 0xf);
  EXPECT_EQ(m.get<Number>(ParamCode::CalledPartyNumber)->inn, 1);
}

TEST(Codec, DigitCodesBThroughFAndFiller) {
  // Odd number of signals "12B4F" (F: end of pulsing) with a non-zero filler nibble.
  Message m = decodeOk("110001002000" "0a03" "0200" "05" "8310214bff");
  const Number* n = m.get<Number>(ParamCode::CalledPartyNumber);
  EXPECT_EQ(n->digits.view(), "12B4F");
  EXPECT_EQ(n->filler, 0xf);
}

TEST(Codec, BodyFramingHasNoCic) {
  auto r = decodeBody(hex("0c0200028290"), Variant::Itu);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, MessageType::REL);
  std::vector<uint8_t> out;
  ASSERT_TRUE(encodeBody(*r, out));
  EXPECT_EQ(toHex(out), "0c0200028290");
}

TEST(Codec, AnsiIamWithUserServiceInformationAnd14BitCic) {
  // ANSI IAM, CIC 0x1234 (14 bits): NCI, FCI, CPC; pointers to USI and called party
  // number; USI 80 90 a2 (CCITT coding, speech, circuit mode 64 kbit/s, µ-law); called
  // party number 0a 03 10 "9195551212".
  Message m = decodeOk("3412" "01" "00" "2001" "00" "030600" "038090a2" "0703101959552121", Variant::Ansi);
  EXPECT_EQ(m.cic, 0x1234);
  const auto* usi = m.get<UserServiceInformation>(ParamCode::UserServiceInformation);
  ASSERT_NE(usi, nullptr);
  EXPECT_EQ(usi->information_transfer_capability, 0);
  EXPECT_EQ(usi->information_transfer_rate, 0x10);
  ASSERT_EQ(usi->data.size(), 1u);
  EXPECT_EQ(m.get<Number>(ParamCode::CalledPartyNumber)->digits.view(), "9195551212");
}

TEST(Codec, AnsiOnlyMessages) {
  Message cvr = decodeOk("0100eb0102" "00", Variant::Ansi);
  EXPECT_EQ(cvr.get<Octet>(ParamCode::CircuitValidationResponseIndicator)->value, 1);
  Message crm = decodeOk("0100ea01", Variant::Ansi);
  EXPECT_EQ(crm.get<NatureOfConnectionIndicators>(ParamCode::NatureOfConnectionIndicators)->satellite, 1);
  // The same octets are an unknown message in ITU.
  auto itu = decode(hex("0100ea01"), Variant::Itu);
  ASSERT_TRUE(itu.ok());
  EXPECT_EQ(itu->body.size(), 1u);
}

TEST(CodecErrors, Truncated) {
  auto e = decodeErr("1100");
  EXPECT_EQ(e.kind, DecodeError::Kind::Truncated);
  e = decodeErr("1100010020");  // IAM cut inside the forward call indicators
  EXPECT_EQ(e.kind, DecodeError::Kind::Truncated);
  EXPECT_EQ(e.param_code, code(ParamCode::ForwardCallIndicators));
  EXPECT_EQ(e.cause(), 111);
}

TEST(CodecErrors, BadPointer) {
  auto e = decodeErr("11000c0000" "028290");  // REL cause pointer 0
  EXPECT_EQ(e.kind, DecodeError::Kind::BadPointer);
  EXPECT_EQ(e.offset, 3u);
  e = decodeErr("11000c0300" "ff028290");  // a gap before the cause: not Q.763 §1.7 order
  EXPECT_EQ(e.kind, DecodeError::Kind::BadPointer);
}

TEST(CodecErrors, LengthOverrun) {
  auto e = decodeErr("11000c0200058290");
  EXPECT_EQ(e.kind, DecodeError::Kind::LengthOverrun);
  EXPECT_EQ(e.param_code, code(ParamCode::CauseIndicators));
  e = decodeErr("11000901" "3d05ff");  // optional parameter longer than the message
  EXPECT_EQ(e.kind, DecodeError::Kind::LengthOverrun);
}

TEST(CodecErrors, MissingMandatoryAndBadContentsGiveQ850Causes) {
  auto e = decodeErr("11000c020000");  // REL with a zero-length cause
  EXPECT_EQ(e.kind, DecodeError::Kind::MissingMandatory);
  EXPECT_EQ(e.cause(), 96);
  EXPECT_EQ(e.diagnostic(), code(ParamCode::CauseIndicators));
  e = decodeErr("11000c02000182");  // a cause of one octet
  EXPECT_EQ(e.kind, DecodeError::Kind::BadParameterContents);
  EXPECT_EQ(e.cause(), 100);
  EXPECT_EQ(e.describe(Variant::Itu), "offset 6: REL: cause_indicators: invalid parameter contents");
}

TEST(CodecErrors, MissingEndOfOptional) {
  auto e = decodeErr("11000901" "3d011f");
  EXPECT_EQ(e.kind, DecodeError::Kind::MissingEndOfOptional);
}

TEST(CodecEncode, RejectsWhatCannotBeExpressed) {
  Message m = makeMessage(Variant::Itu, MessageType::REL, 5000);  // CIC over 12 bits
  std::vector<uint8_t> out;
  EXPECT_FALSE(encode(m, out));
  m.cic = 1;
  EXPECT_TRUE(encode(m, out));
  m.get<CauseIndicators>(ParamCode::CauseIndicators)->cause = 200;  // over 7 bits
  EXPECT_FALSE(encode(m, out));
  Message blo = makeMessage(Variant::Itu, MessageType::BLO, 1);
  blo.optional.push_back({ParamCode::HopCounter, HopCounter{}});  // BLO has no optional part
  EXPECT_FALSE(encode(blo, out));
}

TEST(CodecEncode, MakeMessageBuildsTheMandatoryParameters) {
  Message m = makeMessage(Variant::Itu, MessageType::IAM, 1);
  ASSERT_EQ(m.mandatory.size(), 5u);
  EXPECT_NE(m.get<Number>(ParamCode::CalledPartyNumber), nullptr);
  m.get<Number>(ParamCode::CalledPartyNumber)->digits.assign("123");
  std::vector<uint8_t> out;
  ASSERT_TRUE(encode(m, out));
  EXPECT_EQ(toHex(out), "010001000000000002000480002103");
  Message ansi = makeMessage(Variant::Ansi, MessageType::IAM, 1);
  EXPECT_EQ(ansi.mandatory.size(), 5u);  // NCI, FCI, CPC, USI, called party number
  EXPECT_NE(ansi.get<UserServiceInformation>(ParamCode::UserServiceInformation), nullptr);
}

TEST(MessageTable, EveryTable4MessageIsKnown) {
  const std::vector<std::string_view> itu = {
      "IAM", "SAM", "INR", "INF", "COT", "ACM", "CON", "FOT", "ANM", "REL", "RLC", "SUS", "RES", "CCR",
      "RSC", "BLO", "UBL", "BLA", "UBA", "GRS", "GRA", "CGB", "CGU", "CGBA", "CGUA", "CQM", "CQR",
      "CPG", "UCIC", "CFN", "FAC", "FAR", "FAA", "FRJ", "LPA", "USR", "APM", "IDR", "IRS", "SGM",
      "OLM", "NRM", "UPT", "UPA", "LPR", "PRI", "SDN", "PAM", "CRG"};
  for (auto a : itu) EXPECT_TRUE(messageTypeFromAcronym(Variant::Itu, a).has_value()) << a;
  for (auto a : {"CRM", "CRA", "CVR", "CVT", "EXM"}) {
    EXPECT_TRUE(messageTypeFromAcronym(Variant::Ansi, a).has_value()) << a;
    EXPECT_FALSE(messageTypeFromAcronym(Variant::Itu, a).has_value()) << a;
  }
  EXPECT_EQ(code(*messageTypeFromAcronym(Variant::Itu, "IAM")), 0x01);
  EXPECT_EQ(code(*messageTypeFromAcronym(Variant::Itu, "CQR")), 0x2B);
  EXPECT_EQ(code(*messageTypeFromAcronym(Variant::Itu, "APM")), 0x41);
  EXPECT_EQ(code(*messageTypeFromAcronym(Variant::Ansi, "CVT")), 0xEC);
}

}  // namespace
}  // namespace siptgw::isup
