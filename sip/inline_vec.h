// InlineVec<T, N>: a fixed-capacity vector stored inline, used for typed list headers and the
// header index so that parsing a typical message does not touch the heap (DESIGN.md "Data
// on the hot path"). push() reports overflow instead of growing, so the parser can turn it
// into a typed error (ParseErrc::TooManyHeaders / TooManyValues).
#pragma once

#include <array>
#include <cstddef>

namespace siptgw::sip {

template <class T, std::size_t N>
class InlineVec {
 public:
  static constexpr std::size_t kCapacity = N;

  bool push(const T& v) {
    if (size_ == N) return false;
    items_[size_++] = v;
    return true;
  }
  // Appends a slot and returns it for the caller to fill field by field (avoids building a
  // temporary and block-copying it on hot paths); nullptr when full.
  T* append() {
    if (size_ == N) return nullptr;
    return &items_[size_++];
  }
  T& back() { return items_[size_ - 1]; }
  const T& back() const { return items_[size_ - 1]; }
  void clear() { size_ = 0; }
  void erase(std::size_t index) {
    for (std::size_t i = index; i + 1 < size_; ++i) items_[i] = items_[i + 1];
    --size_;
  }
  bool insert(std::size_t index, const T& v) {
    if (size_ == N) return false;
    for (std::size_t i = size_; i > index; --i) items_[i] = items_[i - 1];
    items_[index] = v;
    ++size_;
    return true;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return items_[i]; }
  const T& operator[](std::size_t i) const { return items_[i]; }
  T* begin() { return items_.data(); }
  T* end() { return items_.data() + size_; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }

 private:
  std::array<T, N> items_{};
  std::size_t size_ = 0;
};

}  // namespace siptgw::sip
