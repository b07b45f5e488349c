// The cause ⇄ status tables of each built-in profile, row by row against tables typed here
// from the RFC 3398 text (§7.2.4.1, §8.2.6.1), not from the implementation's tables.
#include <gtest/gtest.h>

#include "mapping/profile.h"
#include "mapping/rejection.h"
#include "mapping/release.h"

namespace siptgw::mapping {
namespace {

Profile profile(std::string_view name) {
  auto p = builtinProfile(name);
  EXPECT_TRUE(p.ok()) << name;
  return p.ok() ? *p : Profile{};
}

struct CauseRow {
  int cause;
  int status;
};

// RFC 3398 §7.2.4.1 as printed ("ISUP Cause value / SIP response"), five sub-tables.
constexpr CauseRow kRfcCauseToStatus[] = {
    {1, 404},   {2, 404},   {3, 404},   {17, 486},  {18, 408},  {19, 480},  {20, 480},
    {21, 403},  {22, 410},  {23, 410},  {26, 404},  {27, 502},  {28, 484},  {29, 501},
    {31, 480},  {34, 503},  {38, 503},  {41, 503},  {42, 503},  {47, 503},  {55, 403},
    {57, 403},  {58, 503},  {65, 488},  {70, 488},  {79, 501},  {87, 403},  {88, 503},
    {102, 504}, {111, 500}, {127, 500},
};

// RFC 3398 §8.2.6.1 as printed ("Response received / Cause value in the REL"); the
// printed "504 Version Not Supported" is 505.
constexpr CauseRow kRfcStatusToCause[] = {
    {41, 400},  {21, 401},  {21, 402}, {21, 403},  {1, 404},    {63, 405},  {79, 406},
    {21, 407},  {102, 408}, {22, 410}, {127, 413}, {127, 414},  {79, 415},  {127, 416},
    {127, 420}, {127, 421}, {127, 423}, {18, 480}, {41, 481},   {25, 482},  {25, 483},
    {28, 484},  {1, 485},   {17, 486}, {41, 500},  {79, 501},   {38, 502},  {41, 503},
    {102, 504}, {127, 505}, {127, 513}, {17, 600}, {21, 603},   {1, 604},
};

TEST(Tables, Rfc3398CauseToStatusEveryRow) {
  const Profile p = profile("rfc3398");
  for (const auto& r : kRfcCauseToStatus) {
    EXPECT_EQ(statusForCause(static_cast<uint8_t>(r.cause), p).code, r.status) << "cause " << r.cause;
  }
  // The profile holds exactly those rows plus its documented choice for 16.
  EXPECT_EQ(p.causeToStatus.size(), std::size(kRfcCauseToStatus) + 1);
  EXPECT_EQ(statusForCause(16, p).code, 480);
}

TEST(Tables, Rfc3398UnlistedCausesGive500) {
  // §7.2.4.1: "If a cause value other than those listed below is received, the default
  // response '500 Server internal error' SHOULD be used."
  const Profile p = profile("rfc3398");
  for (int c : {4, 5, 24, 25, 44, 50, 63, 69, 95, 97, 99, 103, 110})
    EXPECT_EQ(statusForCause(static_cast<uint8_t>(c), p).code, 500) << "cause " << c;
  EXPECT_EQ(statusForCause(44, p).reason, "Server Internal Error");
}

TEST(Tables, Rfc3398StatusToCauseEveryRow) {
  const Profile p = profile("rfc3398");
  for (const auto& r : kRfcStatusToCause) {
    EXPECT_EQ(causeForStatus(static_cast<uint16_t>(r.status), p), r.cause) << "status " << r.status;
  }
  EXPECT_EQ(p.statusToCause.size(), std::size(kRfcStatusToCause));
}

TEST(Tables, Rfc3398UnlistedStatusesGive31) {
  // §8.2.6.1: "Any SIP status codes not listed below ... should be mapping to cause code 31"
  // — 487, 488 and 606 have no row ("no mapping" / "by Warning header").
  const Profile p = profile("rfc3398");
  for (int s : {409, 422, 433, 487, 488, 491, 580, 606, 699, 380})
    EXPECT_EQ(causeForStatus(static_cast<uint16_t>(s), p), 31) << "status " << s;
}

TEST(Tables, CauseLocationAndDiagnosticExceptions) {
  const Profile p = profile("rfc3398");
  // §7.2.4.1 (+): location user → 603 instead of 403.
  isup::CauseIndicators ci;
  ci.cause = 21;
  ci.location = 0;
  EXPECT_EQ(statusForRelease(ci, p).code, 603);
  EXPECT_EQ(statusForRelease(ci, p).reason, "Decline");
  ci.location = 2;  // public network serving the local user
  EXPECT_EQ(statusForRelease(ci, p).code, 403);
  // 22 with a diagnostic (the new number) → 301, without → 410.
  ci.cause = 22;
  EXPECT_EQ(statusForRelease(ci, p).code, 410);
  ci.diagnostics.push_back(0x12);
  EXPECT_EQ(statusForRelease(ci, p).code, 301);
  Profile off = p;
  off.numberChangedWithDiagnosticIs301 = false;
  off.userRejectIs6xx = false;
  EXPECT_EQ(statusForRelease(ci, off).code, 410);
  ci.cause = 21;
  ci.location = 0;
  EXPECT_EQ(statusForRelease(ci, off).code, 403);
}

TEST(Tables, LocationForGeneratedCauses) {
  // §8.2.6.1: 6xx → location user, 4xx/5xx → network.
  const Profile p = profile("rfc3398");
  EXPECT_EQ(locationForStatus(603, p), 0);
  EXPECT_EQ(locationForStatus(486, p), p.networkLocation);
  EXPECT_EQ(locationForStatus(503, p), p.networkLocation);
  auto ci = causeIndicators(17, 0);
  EXPECT_EQ(ci.cause, 17);
  EXPECT_EQ(ci.location, 0);
  EXPECT_EQ(ci.coding_standard, 0);
}

TEST(Tables, ThreeGppProfilesShareTablesAndDifferFromRfc) {
  const Profile g = profile("3gpp-29163");
  const Profile q = profile("q1912.5");
  const Profile r = profile("rfc3398");
  EXPECT_EQ(g.causeToStatus, q.causeToStatus);
  EXPECT_EQ(g.statusToCause, q.statusToCause);
  EXPECT_NE(g.causeToStatus, r.causeToStatus);
  EXPECT_EQ(statusForCause(18, g).code, 480);
  EXPECT_EQ(statusForCause(17, g).code, 486);  // rows 29.163 does not change stay RFC's
  EXPECT_EQ(causeForStatus(486, g), 17);
  EXPECT_EQ(causeForStatus(480, g), 20);
  EXPECT_EQ(causeForStatus(499, g), 127);
  // Every row a profile was built from carries its source, and the sources of the rows
  // that differ from RFC 3398 say they are unverified.
  for (const auto& row : builtinCauseRows("3gpp-29163")) {
    EXPECT_FALSE(row.source.empty());
    if (r.causeToStatus.count(row.cause) == 0 || r.causeToStatus.at(row.cause) != row.status) {
      EXPECT_NE(row.source.find("unverified"), std::string_view::npos) << int(row.cause);
    }
  }
  for (const auto& row : builtinStatusRows("3gpp-29163")) {
    if (r.statusToCause.count(row.status) == 0 || r.statusToCause.at(row.status) != row.cause) {
      EXPECT_NE(row.source.find("unverified"), std::string_view::npos) << row.status;
    }
  }
}

TEST(Tables, UnknownProfileNamesTheKnownOnes) {
  auto p = builtinProfile("itu");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("rfc3398"), std::string::npos);
  EXPECT_NE(p.error().find("q1912.5"), std::string::npos);
  EXPECT_EQ(builtinProfileNames().size(), 3u);
  EXPECT_TRUE(builtinProfile().ok());
  EXPECT_EQ(builtinProfile()->name, "rfc3398");
}

TEST(Tables, Cpg183And180Rules) {
  // §7.2.9 event table.
  const Profile p = profile("rfc3398");
  const std::pair<int, int> rows[] = {{1, 180}, {2, 183}, {3, 183}, {4, 181}, {5, 181}, {6, 181}};
  for (auto [e, s] : rows) EXPECT_EQ(p.cpgEventToStatus.at(static_cast<uint8_t>(e)), s);
  EXPECT_EQ(p.cpgNoEvent, 183);
}

TEST(Overrides, ReplaceAndRemoveRows) {
  Profile p = profile("rfc3398");
  Overrides o;
  o.causeToStatus[18] = 480;  // the 29.163 choice
  o.causeToStatus[44] = 503;  // a new row
  o.causeToStatus[16] = 0;    // remove: class default
  o.statusToCause[480] = 20;
  o.statusToCause[404] = 0;
  o.countryCode = "49";
  o.unprefixed = UnprefixedNumber::Subscriber;
  o.isupPreference = 2;
  ASSERT_TRUE(validateOverrides(o).ok());
  applyOverrides(p, o);
  EXPECT_EQ(statusForCause(18, p).code, 480);
  EXPECT_EQ(statusForCause(44, p).code, 503);
  EXPECT_EQ(statusForCause(16, p).code, 500);
  EXPECT_EQ(causeForStatus(480, p), 20);
  EXPECT_EQ(causeForStatus(404, p), 31);
  EXPECT_EQ(causeForStatus(486, p), 17);  // untouched rows stay
  EXPECT_EQ(p.numbers.countryCode, "49");
  EXPECT_EQ(p.numbers.unprefixed, UnprefixedNumber::Subscriber);
  EXPECT_EQ(p.numbers.nationalPrefix, "0");
  EXPECT_EQ(p.isupPreference, 2);
}

TEST(Overrides, ValidationNamesTheBadEntry) {
  struct Case {
    Overrides o;
    std::string_view needle;
  };
  std::vector<Case> cases(6);
  cases[0].o.causeToStatus[0] = 404;
  cases[0].needle = "cause 0";
  cases[1].o.causeToStatus[17] = 200;
  cases[1].needle = "status 200";
  cases[2].o.statusToCause[180] = 17;
  cases[2].needle = "status 180";
  cases[3].o.statusToCause[486] = 200;
  cases[3].needle = "cause 200";
  cases[4].o.countryCode = "4x";
  cases[4].needle = "country code";
  cases[5].o.isupPreference = 3;
  cases[5].needle = "ISUP preference";
  for (const auto& c : cases) {
    auto r = validateOverrides(c.o);
    ASSERT_FALSE(r.ok()) << c.needle;
    EXPECT_NE(r.error().find(c.needle), std::string::npos) << r.error();
  }
  Overrides longCc;
  longCc.countryCode = "4912";
  EXPECT_FALSE(validateOverrides(longCc).ok());
}

TEST(ReasonPhrases, Rfc3261Names) {
  EXPECT_EQ(reasonPhrase(404), "Not Found");
  EXPECT_EQ(reasonPhrase(484), "Address Incomplete");
  EXPECT_EQ(reasonPhrase(606), "Not Acceptable");
  EXPECT_EQ(reasonPhrase(607), "Unwanted");
  EXPECT_EQ(reasonPhrase(183), "Session Progress");
  EXPECT_EQ(reasonPhrase(299), "Unknown");
  Rejection r = reject(488, 65, "x");
  EXPECT_EQ(r.reason, "Not Acceptable Here");
  EXPECT_EQ(r.cause, 65);
}

}  // namespace
}  // namespace siptgw::mapping
