#pragma once
/// A move-only, type-erased `void()` callable for event handlers, with small-buffer
/// storage so that typical handlers (a few pointers and integers) never allocate.

#include <cassert>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace vdc::sim {

/// Move-only `void()` callable. Callables of at most Callback::inline_size bytes
/// (alignment <= alignof(std::max_align_t) and 8, nothrow-movable) are stored in place;
/// larger ones are allocated on the heap. Trivially copyable callables (lambdas capturing
/// pointers, ints, Time ...) are relocated with memcpy.
class Callback {
 public:
  /// Bytes of in-place storage (4 pointers).
  static constexpr std::size_t inline_size = 32;

  /// True if a callable of type Fn is stored in place (no allocation).
  template <class Fn>
  static constexpr bool fits_inline() {
    return sizeof(Fn) <= inline_size && alignof(Fn) <= alignof(void*) &&
           std::is_nothrow_move_constructible_v<Fn>;
  }

  /// An empty callback (invoking it is an assertion failure).
  Callback() noexcept = default;

  /// Wraps any `void()` callable.
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, Callback> &&
             std::is_invocable_r_v<void, std::remove_cvref_t<F>&>)
  Callback(F&& f) {  // NOLINT(google-explicit-constructor): handlers are passed as lambdas
    construct(std::forward<F>(f));
  }

  /// Takes over `o`'s callable, leaving `o` empty.
  Callback(Callback&& o) noexcept : ops_(o.ops_) {
    relocate_from(o);
  }

  /// Destroys the held callable and takes over `o`'s, leaving `o` empty.
  Callback& operator=(Callback&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = o.ops_;
      relocate_from(o);
    }
    return *this;
  }

  Callback(const Callback&) = delete;
  Callback& operator=(const Callback&) = delete;

  /// Destroys the held callable.
  ~Callback() { reset(); }

  /// Invokes the wrapped callable.
  void operator()() {
    assert(ops_ != nullptr);
    ops_->invoke(buf_);
  }

  /// True if a callable is held.
  explicit operator bool() const noexcept { return ops_ != nullptr; }

  /// Replaces the held callable with `f`, built in place (a Callback is moved in).
  template <class F>
    requires(std::is_same_v<std::remove_cvref_t<F>, Callback> ||
             std::is_invocable_r_v<void, std::remove_cvref_t<F>&>)
  void emplace(F&& f) {
    if constexpr (std::is_same_v<std::remove_cvref_t<F>, Callback>) {
      static_assert(!std::is_lvalue_reference_v<F>, "a Callback is moved, not copied");
      *this = std::move(f);
    } else {
      reset();
      construct(std::forward<F>(f));
    }
  }

  /// Destroys the held callable, leaving the callback empty.
  void reset() noexcept {
    if (ops_ != nullptr) {
      if (ops_->destroy != nullptr) ops_->destroy(buf_);
      ops_ = nullptr;
    }
  }

 private:
  struct Ops {
    void (*invoke)(void*);
    /// nullptr: the storage may be relocated with memcpy.
    void (*relocate)(void* dst, void* src) noexcept;
    /// nullptr: nothing to destroy.
    void (*destroy)(void*) noexcept;
  };

  template <class Fn>
  static constexpr Ops inline_ops = {
      [](void* p) { (*std::launder(static_cast<Fn*>(p)))(); },
      std::is_trivially_copyable_v<Fn>
          ? nullptr
          : +[](void* dst, void* src) noexcept {
              Fn* s = std::launder(static_cast<Fn*>(src));
              ::new (dst) Fn(std::move(*s));
              s->~Fn();
            },
      std::is_trivially_destructible_v<Fn>
          ? nullptr
          : +[](void* p) noexcept { std::launder(static_cast<Fn*>(p))->~Fn(); },
  };

  // Stores `f` in the (empty) callback.
  template <class F>
  void construct(F&& f) {
    using Fn = std::remove_cvref_t<F>;
    if constexpr (fits_inline<Fn>()) {
      ::new (static_cast<void*>(buf_)) Fn(std::forward<F>(f));
      ops_ = &inline_ops<Fn>;
    } else {
      Fn* p = new Fn(std::forward<F>(f));
      std::memcpy(buf_, &p, sizeof p);
      ops_ = &heap_ops<Fn>;
    }
  }

  template <class Fn>
  static Fn* heap_ptr(void* p) {
    Fn* f = nullptr;
    std::memcpy(&f, p, sizeof f);
    return f;
  }

  template <class Fn>
  static constexpr Ops heap_ops = {
      [](void* p) { (*heap_ptr<Fn>(p))(); },
      nullptr,
      +[](void* p) noexcept { delete heap_ptr<Fn>(p); },
  };

  void relocate_from(Callback& o) noexcept {
    if (ops_ == nullptr) return;
    if (ops_->relocate == nullptr) {
      std::memcpy(buf_, o.buf_, inline_size);
    } else {
      ops_->relocate(buf_, o.buf_);
    }
    o.ops_ = nullptr;
  }

  alignas(void*) unsigned char buf_[inline_size] = {};
  const Ops* ops_ = nullptr;
};

}  // namespace vdc::sim
