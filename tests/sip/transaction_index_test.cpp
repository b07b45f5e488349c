// TxnKeyIndex through the layer (sip/transaction.h): with hundreds of live transactions the
// table is rebuilt several times while transactions end in interleaved order (their entries
// go stale, untouched); every live transaction must still match its retransmissions and
// responses, a request whose transaction ended must start a new one, and the stale entries
// must be dropped by the rebuilds instead of growing the table for ever.
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

// The TU's 200 to server transaction `id`, which then waits out Timer J (64·T1 over UDP).
void answer200(Harness& h, TxnId id) {
  Transaction* t = h.layer.find(id);
  ASSERT_NE(t, nullptr);
  std::string rsp;
  MessageBuilder b(rsp);
  appendResponseFor(b, t->request(), 200, "OK", "uas");
  b.finish();
  ASSERT_TRUE(h.layer.respond(t->id(), rsp));
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
  // Every third one answered now: Timer J ends those at 32 s.
  for (int i = 0; i < kN; i += 3) answer200(h, ids[static_cast<std::size_t>(i)]);
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

TEST(TxnKeyIndex, StaleEntriesAreDroppedByRebuildsNotErasedOneByOne) {
  Harness h;
  constexpr int kRound = 600;
  auto round = [&](int r) {
    std::vector<TxnId> ids;
    for (int i = 0; i < kRound; ++i) {
      h.receive(options(r * kRound + i), udpPeer());
      ids.push_back(h.tu.lastServer);
    }
    for (TxnId id : ids) answer200(h, id);
    h.clock.advance(32000);  // Timer J: all of this round's transactions end
    ASSERT_EQ(h.layer.size(), 0u);
  };
  round(0);
  // Each OPTIONS without a To tag has a server key and a merge key (§8.2.2.2): their
  // transactions have ended and been deleted, and the entries are still there, stale.
  EXPECT_EQ(h.layer.keyIndexEntries(), static_cast<std::size_t>(2 * kRound));
  const std::size_t slots = h.layer.keyIndexSlots();
  for (int r = 1; r < 10; ++r) round(r);
  // 12,000 entries were made in all: the rebuilds dropped the stale ones, so the tables
  // stayed near the size that one round's live transactions need.
  EXPECT_LT(h.layer.keyIndexEntries(), static_cast<std::size_t>(4 * kRound));
  EXPECT_LE(h.layer.keyIndexSlots(), 2 * slots);
  EXPECT_LE(2 * h.layer.keyIndexEntries(), h.layer.keyIndexSlots());
  // An ended transaction's stale entry matches nothing: its retransmission starts anew.
  const auto created = h.layer.stats().created;
  h.receive(options(3), udpPeer());
  EXPECT_EQ(h.layer.stats().created, created + 1);
  EXPECT_EQ(h.layer.stats().merged482, 0u);
}

}  // namespace
}  // namespace siptgw::sip
