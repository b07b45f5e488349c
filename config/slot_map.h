// Objects owned by a 64-bit id that indexes them directly: the id's low 32 bits name a slot
// (1-based, so that 0 is never an id) and its high 32 bits the slot's generation, which
// changes each time the slot is freed, so an id kept after its object went finds nothing.
// For tables with one entry per call or per transaction (DESIGN.md "Data on the hot path"):
// a lookup or an erase touches one slot of a flat array, where a hash map walks a bucket
// and a separately allocated node; that matters most when an entry is erased long after it
// was made (a transaction's 32 s wait-out), when all of it is out of cache. Freed slots are
// reused last-freed first, so a new entry lands in memory that was used a moment ago.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace siptgw {

template <class T>
class SlotMap {
 public:
  // The id that the next insert() returns, for an object that must know its id when it is
  // built. Stays valid until the next insert() or erase().
  std::uint64_t nextId() const {
    if (free_.empty()) return makeId(static_cast<std::uint32_t>(slots_.size()), 0);
    const std::uint32_t index = free_.back();
    return makeId(index, slots_[index].generation);
  }

  // Takes `obj` into the slot nextId() named and returns that id.
  std::uint64_t insert(std::unique_ptr<T> obj) {
    const std::uint64_t id = nextId();
    const std::uint32_t index = indexOf(id);
    if (free_.empty()) {
      slots_.emplace_back();
    } else {
      free_.pop_back();
    }
    slots_[index].obj = std::move(obj);
    ++size_;
    return id;
  }

  T* find(std::uint64_t id) const {
    const std::uint64_t low = id & 0xffffffffu;
    if (low == 0 || low > slots_.size()) return nullptr;
    const Slot& s = slots_[static_cast<std::size_t>(low - 1)];
    return s.generation == static_cast<std::uint32_t>(id >> 32) ? s.obj.get() : nullptr;
  }

  // Deletes the object `id` names, if it is still there.
  void erase(std::uint64_t id) {
    if (find(id) == nullptr) return;
    const std::uint32_t index = indexOf(id);
    Slot& s = slots_[index];
    s.obj.reset();
    ++s.generation;
    free_.push_back(index);
    --size_;
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::unique_ptr<T> obj;
    std::uint32_t generation = 0;
  };
  static std::uint64_t makeId(std::uint32_t index, std::uint32_t generation) {
    return (static_cast<std::uint64_t>(generation) << 32) | (static_cast<std::uint64_t>(index) + 1);
  }
  static std::uint32_t indexOf(std::uint64_t id) { return static_cast<std::uint32_t>((id & 0xffffffffu) - 1); }

  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::size_t size_ = 0;
};

}  // namespace siptgw
