// Reuse of the nodes of a node-based map (std::unordered_map, std::map) whose entries come
// and go once per call: an erased entry's node (C++17 node handle: key, mapped value and
// the allocation that holds them) is kept and the next insert takes it, so after warm-up a
// call adds and removes its entries without touching the heap (DESIGN.md: no per-call heap
// churn on hot paths). At most `Keep` nodes are kept, so a burst does not pin memory.
// (Keep is a template argument so that a member needs no initialiser in the header: the
// mapped type may still be incomplete there.)
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace siptgw {

template <class Map, std::size_t Keep>
class SpareNodes {
 public:
  using Key = typename Map::key_type;
  using Mapped = typename Map::mapped_type;

  // Removes `key`'s entry (if any). `tidy(mapped)` runs on a node that is kept, so what the
  // value owns can be released or reset now; a node that is not kept is simply destroyed.
  template <class Tidy>
  void erase(Map& m, const Key& key, Tidy&& tidy) {
    auto it = m.find(key);
    if (it != m.end()) erase(m, it, std::forward<Tidy>(tidy));
  }
  void erase(Map& m, const Key& key) {
    erase(m, key, [](Mapped&) {});
  }
  // The same for an entry already found (one lookup instead of two).
  template <class Tidy>
  void erase(Map& m, typename Map::iterator it, Tidy&& tidy) {
    auto node = m.extract(it);
    if (spare_.size() >= Keep) return;
    tidy(node.mapped());
    spare_.push_back(std::move(node));
  }
  void erase(Map& m, typename Map::iterator it) {
    erase(m, it, [](Mapped&) {});
  }

  // Inserts an entry for `key`, which must be absent, and returns its value: a kept node's
  // value as tidied, or a value-initialised one.
  Mapped& insert(Map& m, const Key& key) {
    if (spare_.empty()) return m.try_emplace(key).first->second;
    auto node = std::move(spare_.back());
    spare_.pop_back();
    node.key() = key;
    return m.insert(std::move(node)).position->second;
  }

  std::size_t kept() const { return spare_.size(); }

 private:
  std::vector<typename Map::node_type> spare_;
};

}  // namespace siptgw
