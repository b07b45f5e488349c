// DESIGN.md "Data on the hot path": parsing a typical INVITE and reading its common typed
// headers must not touch the heap. Counts operator new calls around the parse.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "sip/message.h"
#include "sip/message_builder.h"
#include "sip_samples.h"

namespace {
std::atomic<std::size_t> gAllocations{0};
}  // namespace

void* operator new(std::size_t n) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace siptgw::sip {
namespace {

TEST(Allocation, TypicalInviteParseIsHeapFree) {
  const std::string wire = test::makeInvite();
  Message m;
  std::size_t before = gAllocations.load();
  bool ok = m.parse(wire).ok();
  bool typed = m.topVia().ok() && m.from().ok() && m.to().ok() && m.cseq().ok() &&
               m.callId().ok() && m.maxForwards().ok() && m.contacts().ok() &&
               m.pAssertedIdentities().ok() && m.contentType().ok();
  std::size_t after = gAllocations.load();
  EXPECT_TRUE(ok);
  EXPECT_TRUE(typed);
  EXPECT_EQ(after - before, 0u);
}

TEST(Allocation, FoldedMessageAllocatesOnlyScratchOnce) {
  const std::string wire =
      "OPTIONS sip:bob@biloxi.com SIP/2.0\r\n"
      "Subject: one\r\n two\r\n"
      "X-Other: three\r\n four\r\n"
      "\r\n";
  Message m;
  std::size_t before = gAllocations.load();
  bool ok = m.parse(wire).ok();
  std::size_t after = gAllocations.load();
  EXPECT_TRUE(ok);
  EXPECT_EQ(after - before, 1u);  // one reserve for all unfolded values
  EXPECT_EQ(m.headers()[1].value, "three four");
}

TEST(Allocation, BuilderReusesItsString) {
  const std::string wire = test::makeInvite();
  Message req;
  ASSERT_TRUE(req.parse(wire).ok());
  std::string out;
  out.reserve(2048);
  std::size_t before = gAllocations.load();
  for (int i = 0; i < 3; ++i) {
    out.clear();
    MessageBuilder b(out, 0);
    appendResponseFor(b, req, 200, "OK", "tag").finish(test::kInviteSdp, "application/sdp");
  }
  std::size_t after = gAllocations.load();
  EXPECT_EQ(after - before, 0u);
  EXPECT_EQ(out.substr(0, 15), "SIP/2.0 200 OK\r");
}

}  // namespace
}  // namespace siptgw::sip
