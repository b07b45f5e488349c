// SlotMap (config/slot_map.h): ids start at 1, nextId() foretells insert(), an erased id
// finds nothing even after its slot is reused (the generation), the last freed slot is
// reused first, and erasing deletes the object.
#include "config/slot_map.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace siptgw {
namespace {

struct Counted {
  explicit Counted(int& live) : live_(live) { ++live_; }
  ~Counted() { --live_; }
  int& live_;
};

TEST(SlotMap, IdsFindTheirObjectsUntilErased) {
  SlotMap<std::string> m;
  EXPECT_EQ(m.nextId(), 1u);
  const std::uint64_t a = m.insert(std::make_unique<std::string>("a"));
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(m.nextId(), 2u);
  const std::uint64_t b = m.insert(std::make_unique<std::string>("b"));
  EXPECT_EQ(b, 2u);
  EXPECT_EQ(m.size(), 2u);
  ASSERT_NE(m.find(a), nullptr);
  EXPECT_EQ(*m.find(a), "a");
  EXPECT_EQ(*m.find(b), "b");
  EXPECT_EQ(m.find(0), nullptr);
  EXPECT_EQ(m.find(3), nullptr);  // never given
  m.erase(a);
  EXPECT_EQ(m.find(a), nullptr);
  EXPECT_EQ(m.size(), 1u);
  m.erase(a);  // twice: nothing
  EXPECT_EQ(m.size(), 1u);
}

TEST(SlotMap, AReusedSlotGetsANewGenerationLastFreedFirst) {
  SlotMap<std::string> m;
  const std::uint64_t a = m.insert(std::make_unique<std::string>("a"));
  const std::uint64_t b = m.insert(std::make_unique<std::string>("b"));
  const std::uint64_t c = m.insert(std::make_unique<std::string>("c"));
  m.erase(a);
  m.erase(c);
  const std::uint64_t next = m.nextId();
  const std::uint64_t d = m.insert(std::make_unique<std::string>("d"));
  EXPECT_EQ(d, next);
  EXPECT_EQ(d & 0xffffffffu, c & 0xffffffffu);  // c's slot, freed last
  EXPECT_NE(d, c);
  EXPECT_EQ(m.find(c), nullptr);  // the old id does not reach the new object
  EXPECT_EQ(*m.find(d), "d");
  const std::uint64_t e = m.insert(std::make_unique<std::string>("e"));
  EXPECT_EQ(e & 0xffffffffu, a & 0xffffffffu);
  EXPECT_EQ(m.find(a), nullptr);
  EXPECT_EQ(*m.find(e), "e");
  EXPECT_EQ(*m.find(b), "b");
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.nextId(), 4u);  // no free slot: a new one
}

TEST(SlotMap, EraseAndDestructionDeleteTheObjects) {
  int live = 0;
  {
    SlotMap<Counted> m;
    const std::uint64_t a = m.insert(std::make_unique<Counted>(live));
    m.insert(std::make_unique<Counted>(live));
    EXPECT_EQ(live, 2);
    m.erase(a);
    EXPECT_EQ(live, 1);
  }
  EXPECT_EQ(live, 0);
}

}  // namespace
}  // namespace siptgw
