#pragma once
/// The pending-event set of the engine: a ladder queue (Tang, Goh and Thng, "Ladder
/// Queue: An O(1) Priority Queue Structure for Large-Scale Discrete Event Simulation",
/// ACM TOMACS 15(3), 2005) with the handlers stored in a slab, so that scheduling,
/// cancelling and popping are O(1) amortised and stay fast with millions of pending events
/// (bench/README.md: about 4x std::priority_queue at one million pending events).

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "vdc/sim/callback.hpp"
#include "vdc/sim/time.hpp"

namespace vdc::sim {

namespace detail {
/// Allocates `bytes` aligned to `align`; blocks of 2 MiB and more are 2 MiB aligned and,
/// on Linux, advised to use transparent huge pages (fewer TLB misses when millions of
/// events are pending).
void* allocate_large(std::size_t bytes, std::size_t align);
/// Frees a block from allocate_large with the same `bytes` and `align`.
void free_large(void* p, std::size_t bytes, std::size_t align) noexcept;

/// std::allocator replacement using allocate_large, for the event queue's big arrays.
template <class T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <class U>
  constexpr LargeAllocator(const LargeAllocator<U>&) noexcept {}  // NOLINT: rebinding
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_large(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { free_large(p, n * sizeof(T), alignof(T)); }
  template <class U>
  bool operator==(const LargeAllocator<U>&) const noexcept { return true; }
};
}  // namespace detail

/// Handle of a scheduled event, used to cancel it. Default-constructed: refers to no event.
/// A handle stays safe to use after its event fired or was cancelled (cancel returns false).
class EventId {
 public:
  /// Refers to no event.
  constexpr EventId() = default;
  /// True if the handle was returned by schedule (the event may have fired since).
  constexpr bool valid() const { return gen_ != 0; }
  /// Same event.
  constexpr bool operator==(const EventId&) const = default;

 private:
  friend class EventQueue;
  constexpr EventId(std::uint32_t slot, std::uint32_t gen) : slot_(slot), gen_(gen) {}
  std::uint32_t slot_ = 0;
  std::uint32_t gen_ = 0;  // odd while the event is pending; 0 = no event
};

/// Pending events ordered by (time, priority, insertion sequence): equal times run in
/// ascending priority, equal times and priorities in insertion order, exactly as a sort
/// by that triple.
///
/// Structure: events beyond the ladder collect unsorted in an overflow list (into an
/// empty queue, all of them until the first pop); when the ladder runs out they are spread
/// over a new coarsest rung, an array of at most 4096 time buckets of power-of-two width.
/// Later events go straight to their bucket. A bucket that is reached with many events is
/// split into a finer rung, and a small one is insertion-sorted into the near list, from
/// which events are popped.
/// Entries (time, key, slot) are 24 bytes; handlers stay in a slab of 64-byte slots,
/// addressed by index and generation (EventId), and are prefetched a bucket ahead.
/// Costs: schedule, cancel and pop O(1) amortised; only events sharing one nanosecond in
/// large numbers cost O(log n) each (one sort). Cancelled events are removed lazily: their
/// storage is reclaimed when their bucket is sorted into the near list (while the slab is
/// small enough to be cached) or when they are reached, or by a compaction when they
/// outnumber the pending ones by 1024.
class EventQueue {
 public:
  /// Smallest and largest allowed priority (16 bits are kept in the ordering key).
  static constexpr int min_priority = -32768;
  static constexpr int max_priority = 32767;

  /// An event removed from the queue.
  struct Event {
    /// When it was scheduled to happen.
    Time time;
    /// Its handler.
    Callback handler;
  };

  /// An empty queue.
  EventQueue();
  /// Destroys the pending handlers without running them.
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;
  /// Moves the pending events; EventIds keep referring to them.
  EventQueue(EventQueue&&) noexcept;
  /// Moves the pending events; EventIds keep referring to them.
  EventQueue& operator=(EventQueue&&) noexcept;

  /// Schedules `handler` at time `at` (0 <= at < Time::max(), which means "never") with
  /// `priority` (lower runs first among equal times; within [min_priority, max_priority]).
  /// `handler` is a Callback or any `void()` callable, which is then built in place.
  template <class F>
  EventId schedule(Time at, F&& handler, int priority = 0) {
    assert(at >= Time::zero() && at < Time::max());
    assert(priority >= min_priority && priority <= max_priority);
    using Fn = std::remove_cvref_t<F>;
    if constexpr (!std::is_same_v<Fn, Callback> &&
                  !(Callback::fits_inline<Fn>() && std::is_nothrow_constructible_v<Fn, F&&>)) {
      // Built first (allocated, or copied with a copy that may throw): nothing has changed
      // if that throws.
      return schedule(at, Callback(std::forward<F>(handler)), priority);
    } else {
      if (size_ == 0) restart();
      const std::uint32_t s = alloc_slot();
      Slot& slot = slots_[s];
      ++slot.gen;  // odd: pending
      slot.handler.emplace(std::forward<F>(handler));  // in place; cannot throw
      const EventId id(s, slot.gen);
      ++size_;
      insert(Entry{at.ns(), next_key(priority), s});
      return id;
    }
  }

  /// Cancels a pending event: returns true if it was pending; false (and does nothing)
  /// if it already fired, was cancelled, or the id is invalid. O(1).
  bool cancel(EventId id);

  /// True if the event is still pending.
  bool pending(EventId id) const;

  /// True if no event is pending.
  bool empty() const { return size_ == 0; }
  /// Number of pending events (cancelled ones not counted).
  std::size_t size() const { return size_; }
  /// Time of the earliest pending event; the queue must not be empty.
  Time next_time() const {
    assert(size_ > 0);
    // Before the first pop after a schedule into an empty queue, every pending event is in
    // the overflow (none cancelled).
    if (near_empty()) return Time::from_ns(overflow_min_);
    return Time::from_ns(near_[near_head_].time);
  }

  /// Removes the earliest pending event and returns it; the queue must not be empty.
  Event pop();

  /// Removes the earliest pending event, runs its handler and returns its time; the
  /// queue must not be empty. The handler may schedule and cancel events.
  Time run_next();

  /// Removes all events (their handlers are destroyed without running).
  void clear();

 private:
  static constexpr std::uint32_t nil = 0xFFFF'FFFFu;

  /// Storage of one event's handler; the ordering key lives in the Entry.
  struct alignas(64) Slot {
    Callback handler;
    std::uint32_t gen = 0;  // odd while pending
    std::uint32_t next_free = nil;
  };

  /// A reference to a slot with its ordering key, moved between buckets by value.
  struct Entry {
    std::int64_t time;
    std::uint64_t key;  // (priority + 2^15) << 48 | insertion sequence
    std::uint32_t slot;
  };

  /// An unsorted list of entries.
  using Bucket = std::vector<Entry>;

  /// One rung of the ladder: `buckets` of width 2^shift ns covering [start, start + span);
  /// buckets before `cur` have been handed on to a finer rung or to the near list.
  struct Rung {
    std::int64_t start = 0;
    std::uint64_t span = 0;
    int shift = 0;
    std::size_t cur = 0;
    std::size_t live = 0;  // entries (cancelled ones included) in buckets[cur..]
    std::size_t count = 0;  // buckets in use (the vector keeps more for reuse)
    std::vector<Bucket> buckets;
  };

  bool is_live(const Entry& e) const { return (slots_[e.slot].gen & 1u) != 0; }
  bool near_empty() const { return near_head_ == near_.size(); }
  std::uint32_t alloc_slot() {
    if (free_slot_ == nil) return new_slot();
    const std::uint32_t s = free_slot_;
    free_slot_ = slots_[s].next_free;
    return s;
  }
  std::uint32_t new_slot();
  /// Ordering key of the next event scheduled with `priority`: (priority + 2^15) << 48 |
  /// insertion sequence.
  std::uint64_t next_key(int priority) {
    assert(seq_ < (std::uint64_t{1} << 48));
    return (static_cast<std::uint64_t>(priority - min_priority) << 48) | seq_++;
  }
  void free_slot(std::uint32_t s);
  static void release(Bucket& b);
  void distribute(Rung& r, const Entry& e);
  void insert(const Entry& e);
  void push_near(const Entry& e);
  void pop_near();
  void demote_near();
  void restart();
  void settle();
  bool refill_near();
  Rung& open_rung(std::size_t depth, std::int64_t start, int shift, std::size_t count);
  void build_rung_from_overflow();
  void compact();

  std::vector<Slot, detail::LargeAllocator<Slot>> slots_;
  std::uint32_t free_slot_ = nil;
  std::vector<Entry> near_;             // [near_head_, size) sorted by (time, key)
  std::size_t near_head_ = 0;
  std::int64_t near_end_ = 0;           // every event before this time is in near_
  std::size_t near_limit_ = 64;         // size of near_ that triggers demote_near()
  std::vector<Rung> rungs_;             // rungs_[0] coarsest; only [0, depth_) in use
  std::size_t depth_ = 0;
  std::vector<Entry> overflow_;         // events at or after the coarsest rung's end
  std::int64_t overflow_min_ = 0;
  std::int64_t overflow_max_ = 0;
  std::uint64_t seq_ = 0;
  std::size_t size_ = 0;                // pending
  std::size_t cancelled_ = 0;           // cancelled, still referenced by an entry
};

}  // namespace vdc::sim
