// TxnKeyIndex through the layer (sip/transaction.h): with hundreds of live transactions the
// table grows several times and loses entries in interleaved order (backward-shift
// deletion); every live transaction must still match its retransmissions and responses,
// and a request whose transaction ended must start a new one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sip/message_builder.h"
#include "sip/transaction.h"
#include "transaction_test_util.h"

namespace siptgw::sip {
namespace {

using testing::Harness;
using testing::outRequest;
using testing::request;
using testing::udpDest;
using testing::udpPeer;

std::string options(int i) {
  const std::string n = std::to_string(i);
  return request("OPTIONS", "z9hG4bKidx" + n, "SIP/2.0/UDP 192.0.2.10:5060", "f" + n, "", 1,
                 "c" + n + "@192.0.2.10");
}

TEST(TxnKeyIndex, ServerMatchesSurviveGrowthAndInterleavedRemoval) {
  Harness h;
  constexpr int kN = 600;
  std::vector<TxnId> ids(kN);
  for (int i = 0; i < kN; ++i) {
    h.receive(options(i), udpPeer());
    ids[static_cast<std::size_t>(i)] = h.tu.lastServer;
  }
  ASSERT_EQ(h.layer.size(), static_cast<std::size_t>(kN));
  // Every third one answered now: Timer J (64·T1 over UDP) ends those at 32 s.
  for (int i = 0; i < kN; i += 3) {
    Transaction* t = h.layer.find(ids[static_cast<std::size_t>(i)]);
    ASSERT_NE(t, nullptr);
    std::string rsp;
    MessageBuilder b(rsp);
    appendResponseFor(b, t->request(), 200, "OK", "uas");
    b.finish();
    ASSERT_TRUE(h.layer.respond(t->id(), rsp));
  }
  h.clock.advance(32000);
  EXPECT_EQ(h.layer.size(), static_cast<std::size_t>(kN - kN / 3));
  const auto created = h.layer.stats().created;
  const auto absorbed = h.layer.stats().retransmissionsAbsorbed;
  for (int i = 0; i < kN; ++i) {
    if (i % 3 != 0) h.receive(options(i), udpPeer());
  }
  EXPECT_EQ(h.layer.stats().created, created);
  EXPECT_EQ(h.layer.stats().retransmissionsAbsorbed, absorbed + static_cast<std::uint64_t>(kN - kN / 3));
  for (int i = 0; i < kN; i += 3) h.receive(options(i), udpPeer());
  EXPECT_EQ(h.layer.stats().created, created + static_cast<std::uint64_t>(kN / 3));
  EXPECT_EQ(h.layer.stats().merged482, 0u);
}

TEST(TxnKeyIndex, ClientResponsesMatchAfterRemovals) {
  Harness h;
  constexpr int kN = 300;
  std::vector<TxnId> ids;
  for (int i = 0; i < kN; ++i) {
    auto r = h.layer.sendRequest(outRequest("OPTIONS", "z9hG4bKcl" + std::to_string(i), "UDP"), udpDest());
    ASSERT_TRUE(r.ok());
    ids.push_back(*r);
  }
  // A duplicate branch is refused while its transaction lives.
  EXPECT_FALSE(h.layer.sendRequest(outRequest("OPTIONS", "z9hG4bKcl7", "UDP"), udpDest()).ok());
  auto answer = [&](int i) {
    Transaction* t = h.layer.find(ids[static_cast<std::size_t>(i)]);
    ASSERT_NE(t, nullptr) << i;
    std::string rsp;
    MessageBuilder b(rsp);
    appendResponseFor(b, t->request(), 200, "OK", "uas");
    b.finish();
    h.receive(rsp, udpPeer());
  };
  for (int i = 1; i < kN; i += 2) answer(i);  // Completed; Timer K (T4 = 5 s) ends them
  h.clock.advance(5000);
  EXPECT_EQ(h.layer.size(), static_cast<std::size_t>(kN / 2));
  const auto strays = h.layer.stats().strayResponses;
  for (int i = 0; i < kN; i += 2) answer(i);
  EXPECT_EQ(h.layer.stats().strayResponses, strays);
  EXPECT_EQ(h.countEvent("response 200"), static_cast<std::size_t>(kN));
}

}  // namespace
}  // namespace siptgw::sip
