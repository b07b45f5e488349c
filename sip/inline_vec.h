// InlineVec<T, N>: a fixed-capacity vector stored inline, used for typed list headers and the
// header index so that parsing a typical message does not touch the heap (DESIGN.md "Data
// on the hot path"). push() reports overflow instead of growing, so the parser can turn it
// into a typed error (ParseErrc::TooManyHeaders / TooManyValues).
//
// Slots beyond size() are raw storage: constructing, copying or moving a vector touches only
// its elements. (A value-initialized std::array wrote all N slots — 4 KiB for a Message's
// header index — every time a transaction or session made its own Message.)
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>

namespace siptgw::sip {

template <class T, std::size_t N>
class InlineVec {
 public:
  static constexpr std::size_t kCapacity = N;

  InlineVec() noexcept {}
  InlineVec(const InlineVec& o) { copyFrom(o); }
  InlineVec& operator=(const InlineVec& o) {
    if (this != &o) {
      clear();
      copyFrom(o);
    }
    return *this;
  }
  ~InlineVec() { clear(); }

  bool push(const T& v) {
    if (size_ == N) return false;
    ::new (static_cast<void*>(&items_[size_])) T(v);
    ++size_;
    return true;
  }
  // Appends a value-initialized slot and returns it for the caller to fill field by field
  // (avoids building a temporary and block-copying it on hot paths); nullptr when full.
  T* append() {
    if (size_ == N) return nullptr;
    T* p = ::new (static_cast<void*>(&items_[size_])) T();
    ++size_;
    return p;
  }
  // Constructs an element in place from an aggregate's fields (or constructor arguments);
  // nullptr when full.
  template <class... A>
  T* emplace(A&&... args) {
    if (size_ == N) return nullptr;
    T* p = ::new (static_cast<void*>(&items_[size_])) T{static_cast<A&&>(args)...};
    ++size_;
    return p;
  }
  T& back() { return items_[size_ - 1]; }
  const T& back() const { return items_[size_ - 1]; }
  void clear() {
    if constexpr (!std::is_trivially_destructible_v<T>) {
      for (std::size_t i = 0; i < size_; ++i) items_[i].~T();
    }
    size_ = 0;
  }
  void erase(std::size_t index) {
    for (std::size_t i = index; i + 1 < size_; ++i) items_[i] = items_[i + 1];
    items_[size_ - 1].~T();
    --size_;
  }
  bool insert(std::size_t index, const T& v) {
    if (size_ == N) return false;
    if (index >= size_) return push(v);
    ::new (static_cast<void*>(&items_[size_])) T(items_[size_ - 1]);
    for (std::size_t i = size_ - 1; i > index; --i) items_[i] = items_[i - 1];
    items_[index] = v;
    ++size_;
    return true;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return items_[i]; }
  const T& operator[](std::size_t i) const { return items_[i]; }
  T* begin() { return items_; }
  T* end() { return items_ + size_; }
  const T* begin() const { return items_; }
  const T* end() const { return items_ + size_; }

 private:
  void copyFrom(const InlineVec& o) {
    for (std::size_t i = 0; i < o.size_; ++i) ::new (static_cast<void*>(&items_[i])) T(o.items_[i]);
    size_ = o.size_;
  }

  union {
    T items_[N];
  };
  std::size_t size_ = 0;
};

}  // namespace siptgw::sip
