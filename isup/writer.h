// Bounded output cursor for the ISUP encoders: writes into caller memory, never allocates,
// and remembers overflow instead of throwing (an ISUP message is at most 272 octets of MTP3
// signalling information field, Q.703 §2.3.8; callers pass a buffer of that size).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace siptgw::isup {

class Writer {
 public:
  explicit Writer(std::span<uint8_t> out) : begin_(out.data()), p_(out.data()), end_(out.data() + out.size()) {}
  void put(uint8_t b) {
    if (p_ == end_) { overflow_ = true; return; }
    *p_++ = b;
  }
  void put(std::span<const uint8_t> bytes) {
    if (bytes.empty()) return;
    if (static_cast<std::size_t>(end_ - p_) < bytes.size()) { overflow_ = true; return; }
    std::memcpy(p_, bytes.data(), bytes.size());
    p_ += bytes.size();
  }
  template <class C>
    requires requires(const C& c) { c.data(); c.size(); }
  void put(const C& c) { put(std::span<const uint8_t>(c.data(), c.size())); }
  // Reserves one octet (a length or pointer filled in later); returns its offset.
  std::size_t hole() { std::size_t at = size(); put(0); return at; }
  void patch(std::size_t at, uint8_t b) { if (at < size()) begin_[at] = b; }
  std::size_t size() const { return static_cast<std::size_t>(p_ - begin_); }
  bool overflow() const { return overflow_; }
  // Raw access for encoders that write in place: the free room, then commit n octets.
  std::span<uint8_t> room() { return {p_, static_cast<std::size_t>(end_ - p_)}; }
  void commit(std::size_t n) { p_ += n; }

 private:
  uint8_t* begin_;
  uint8_t* p_;
  uint8_t* end_;
  bool overflow_ = false;
};

}  // namespace siptgw::isup
