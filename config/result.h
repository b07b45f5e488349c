// Result<T, E>: the value-or-error return type every codec and parser in siptgw uses for
// input that comes from the network or from an operator (DESIGN.md "Style"). A small
// stand-in for C++23 std::expected, which GCC 12 only offers in C++23 mode and which clang
// 14 (used for the libFuzzer builds) cannot compile from libstdc++ 12.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace siptgw {

// A constructor rather than an aggregate, so Unexpected(x) deduces under clang 14 too
// (which lacks C++20 parenthesised aggregate initialisation).
template <class E>
struct Unexpected {
  explicit Unexpected(E e) : error(std::move(e)) {}
  E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

template <class T, class E>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  Result(const T& v) : v_(std::in_place_index<0>, v) {}  // NOLINT: implicit like expected
  Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT
  template <class G>
  Result(Unexpected<G> u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return *std::get_if<0>(&v_); }
  const T& value() const& { assert(ok()); return *std::get_if<0>(&v_); }
  T&& value() && { assert(ok()); return std::move(*std::get_if<0>(&v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const { assert(!ok()); return *std::get_if<1>(&v_); }

 private:
  std::variant<T, E> v_;
};

// Result<void, E>
struct Ok {};

}  // namespace siptgw
