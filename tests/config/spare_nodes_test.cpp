// SpareNodes (config/spare_nodes.h): an erased entry's node comes back on the next insert
// (same storage, tidied value), at most Keep nodes are kept, and inserting a key that is
// already there gives its value as operator[] would.
#include "config/spare_nodes.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace siptgw {
namespace {

using Map = std::unordered_map<int, std::unique_ptr<std::string>>;

TEST(SpareNodes, AnErasedNodeIsReusedWithItsTidiedValue) {
  Map m;
  SpareNodes<Map, 2> spare;
  auto& v = spare.insert(m, 1);
  EXPECT_EQ(v, nullptr);  // a new node: value-initialised
  v = std::make_unique<std::string>("first call");
  const std::string* storage = v.get();
  int tidied = 0;
  spare.erase(m, 1, [&](std::unique_ptr<std::string>& s) {
    ++tidied;
    s->assign("tidy");
  });
  EXPECT_EQ(tidied, 1);
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(spare.kept(), 1u);
  auto& again = spare.insert(m, 7);  // the kept node, under its new key
  EXPECT_EQ(again.get(), storage);
  EXPECT_EQ(*again, "tidy");
  EXPECT_EQ(m.count(7), 1u);
  EXPECT_EQ(spare.kept(), 0u);
}

TEST(SpareNodes, KeepsAtMostKeepNodesAndIgnoresAbsentKeys) {
  Map m;
  SpareNodes<Map, 2> spare;
  for (int k = 0; k < 5; ++k) spare.insert(m, k) = std::make_unique<std::string>(std::to_string(k));
  int tidied = 0;
  for (int k = 0; k < 5; ++k) spare.erase(m, k, [&](auto&) { ++tidied; });
  EXPECT_EQ(spare.kept(), 2u);
  EXPECT_EQ(tidied, 2);  // only kept nodes are tidied; the others are destroyed
  spare.erase(m, 42);    // absent: nothing happens
  EXPECT_EQ(spare.kept(), 2u);
}

TEST(SpareNodes, ErasingByIteratorKeepsTheNode) {
  std::unordered_map<int, int> m;
  SpareNodes<std::unordered_map<int, int>, 1> spare;
  spare.insert(m, 1) = 10;
  spare.insert(m, 2) = 20;
  const int* storage = &m.at(1);
  spare.erase(m, m.find(1));
  EXPECT_EQ(m.count(1), 0u);
  EXPECT_EQ(spare.kept(), 1u);
  spare.erase(m, m.find(2));  // over Keep: destroyed
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(spare.kept(), 1u);
  int& v = spare.insert(m, 5);
  EXPECT_EQ(&v, storage);  // the node of key 1, value as it was (no tidy given)
  EXPECT_EQ(v, 10);
  spare.erase(m, m.find(5), [](int& x) { x = -1; });
  EXPECT_EQ(spare.insert(m, 6), -1);  // tidied on the way into the spares
}

TEST(SpareNodes, InsertingAPresentKeyGivesItsValue) {
  std::unordered_map<int, int> m;
  SpareNodes<std::unordered_map<int, int>, 4> spare;
  spare.insert(m, 3) = 30;
  spare.insert(m, 4) = 40;
  spare.erase(m, 4);
  int& v = spare.insert(m, 3);  // present: its value (the kept node taken for it is dropped)
  EXPECT_EQ(v, 30);
  v = 33;
  EXPECT_EQ(m.at(3), 33);
  EXPECT_EQ(m.size(), 1u);
}

}  // namespace
}  // namespace siptgw
