#include "vdc/sim/event_queue.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace vdc::sim {

namespace detail {

namespace {
constexpr std::size_t huge_page = std::size_t{2} << 20;
}  // namespace

void* allocate_large(std::size_t bytes, std::size_t align) {
  if (bytes < huge_page) return ::operator new(bytes, std::align_val_t(align));
  const std::size_t rounded = (bytes + huge_page - 1) & ~(huge_page - 1);
  void* p = std::aligned_alloc(huge_page, rounded);
  if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__)
  ::madvise(p, rounded, MADV_HUGEPAGE);  // advisory: failure only costs speed
#endif
  return p;
}

void free_large(void* p, std::size_t bytes, std::size_t align) noexcept {
  if (bytes < huge_page) {
    ::operator delete(p, std::align_val_t(align));
  } else {
    std::free(p);
  }
}

}  // namespace detail

namespace {

/// Most buckets in the coarsest rung, built from the overflow. Most inserts land in that
/// rung, so its bucket heads must stay in cache; with many events its buckets get wide
/// and the dense ones are split into finer rungs when they are reached.
constexpr std::uint64_t max_top_buckets = 4096;
/// Average occupancy aimed at when a bucket is split into a finer rung; small, so that
/// the near list stays a handful of entries.
constexpr std::uint64_t fine_per_bucket = 4;
/// A bucket with more entries than this is split into a finer rung instead of being
/// sorted into the near list (the ladder queue's THRES, 50 in the paper). Twice that: a
/// CPU scheduler's timers, set a few milliseconds ahead, fill the near buckets of a rung
/// sized for the whole pending set, and a split (a rung, its buckets refilled one by one,
/// inserts passing through one rung more) costs more than insertion-sorting up to 96
/// entries, about half of them cancelled and dropped first (bench/README.md, tenth pass).
constexpr std::uint32_t spawn_threshold = 96;
/// The near list is spread over a new rung when it grows beyond this (or beyond twice its
/// size when it was last refilled).
constexpr std::size_t min_near_limit = 64;
/// Bucket buffers above this capacity are freed when the bucket is emptied.
constexpr std::size_t release_capacity = 64;
/// Slab size (in events, 64 bytes each) from which handlers are prefetched.
constexpr std::size_t prefetch_min_slots = 16384;
/// Rungs made by demote_near() stack up when events arrive in decreasing time order;
/// beyond this depth the ladder is rebuilt instead.
constexpr std::size_t max_depth = 24;
/// Cancelled events may exceed the pending ones by this much before a compaction.
constexpr std::size_t compaction_slack = 1024;

/// Event order: (time, key), key = (priority, insertion sequence).
struct Earlier {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    return a.time < b.time || (a.time == b.time && a.key < b.key);
  }
};

/// t - start for t >= start, computed without signed overflow.
std::uint64_t offset(std::int64_t t, std::int64_t start) {
  return static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(start);
}

/// start + width, saturated at the largest time (a bucket's end may lie beyond it).
std::int64_t end_of(std::int64_t start, std::uint64_t width) {
  constexpr std::int64_t last = std::numeric_limits<std::int64_t>::max();
  const std::uint64_t room = static_cast<std::uint64_t>(last) - static_cast<std::uint64_t>(start);
  return width >= room ? last : start + static_cast<std::int64_t>(width);
}

/// Smallest shift such that ((range >> shift) + 1) buckets are at most `buckets`.
int width_shift(std::uint64_t range, std::uint64_t buckets) {
  int shift = static_cast<int>(std::bit_width(range / buckets));
  if (shift > 0 && (range >> (shift - 1)) + 1 <= buckets) --shift;
  return shift;
}

}  // namespace

EventQueue::EventQueue() = default;
EventQueue::~EventQueue() = default;
EventQueue::EventQueue(EventQueue&&) noexcept = default;
EventQueue& EventQueue::operator=(EventQueue&&) noexcept = default;

std::uint32_t EventQueue::new_slot() {
  assert(slots_.size() < nil);
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void EventQueue::free_slot(std::uint32_t s) {
  slots_[s].next_free = free_slot_;
  free_slot_ = s;
}

void EventQueue::release(Bucket& b) {
  // Small buffers are kept for the next use of the bucket; large ones (the dense buckets
  // of a wide rung) go back to the allocator, so that every bucket does not end up
  // holding the largest buffer it ever had.
  if (b.capacity() > release_capacity) {
    Bucket().swap(b);
  } else {
    b.clear();
  }
}

void EventQueue::distribute(Rung& r, const Entry& e) {
  r.buckets[static_cast<std::size_t>(offset(e.time, r.start) >> r.shift)].push_back(e);
  ++r.live;
}

void EventQueue::push_near(const Entry& e) {
  // near_[near_head_..] is sorted ascending. The common cases are O(1): an event after
  // all others (same time, scheduled later) or before all others (a lower priority).
  if (near_empty() || !Earlier{}(e, near_.back())) {
    near_.push_back(e);
  } else if (near_head_ > 0 && Earlier{}(e, near_[near_head_])) {
    near_[--near_head_] = e;
  } else {
    const auto first = near_.begin() + static_cast<std::ptrdiff_t>(near_head_);
    near_.insert(std::upper_bound(first, near_.end(), e, Earlier{}), e);
  }
  if (near_.size() - near_head_ > near_limit_) demote_near();
}

void EventQueue::demote_near() {
  if (depth_ >= max_depth) {
    // Events keep arriving in decreasing time order below each new rung: start over.
    compact();
    return;
  }
  // Many events were scheduled before near_end_ (e.g. the first event scheduled was a
  // late one): spread the near list over a new finest rung ending at near_end_, so that
  // sorted insertion stays cheap. The limit is twice the list's size when it was last
  // refilled, so this costs O(1) amortised per schedule.
  const std::size_t n = near_.size() - near_head_;
  const auto range = static_cast<std::uint64_t>(near_end_ - 1 - near_[near_head_].time);
  const int shift = width_shift(range, std::max<std::uint64_t>(1, n / fine_per_bucket));
  const std::size_t count = static_cast<std::size_t>((range >> shift) + 1);
  const std::int64_t start = near_end_ - (static_cast<std::int64_t>(count) << shift);
  Rung& r = open_rung(depth_, start, shift, count);
  for (std::size_t i = near_head_; i < near_.size(); ++i) distribute(r, near_[i]);
  near_.clear();
  near_head_ = 0;
  near_end_ = start;
  settle();
}

void EventQueue::pop_near() {
  if (++near_head_ == near_.size()) {
    near_.clear();
    near_head_ = 0;
  }
}

void EventQueue::insert(const Entry& e) {
  if (e.time < near_end_) {
    push_near(e);
    return;
  }
  // The rungs' unconsumed ranges are contiguous from near_end_: the finest rung's first,
  // the coarsest's last. Search from the coarsest, where most inserts land.
  // (A rung made by demote_near() may start before the coarser rungs' starts.)
  if (depth_ > 0 && (e.time < rungs_[0].start || offset(e.time, rungs_[0].start) < rungs_[0].span)) {
    for (std::size_t d = 0;; ++d) {
      Rung& r = rungs_[d];
      if (e.time >= r.start) {
        const auto index = static_cast<std::size_t>(offset(e.time, r.start) >> r.shift);
        if (index >= r.cur) {
          r.buckets[index].push_back(e);
          ++r.live;
          return;
        }
      }
      assert(d + 1 < depth_);
    }
  }
  if (overflow_.empty()) {
    overflow_min_ = overflow_max_ = e.time;
  } else {
    overflow_min_ = std::min(overflow_min_, e.time);
    overflow_max_ = std::max(overflow_max_, e.time);
  }
  overflow_.push_back(e);
}

bool EventQueue::cancel(EventId id) {
  if (!pending(id)) return false;
  Slot& slot = slots_[id.slot_];
  ++slot.gen;  // even: no longer pending; the slot stays referenced until it is reached
  slot.handler.reset();
  --size_;
  ++cancelled_;
  if (cancelled_ > size_ + compaction_slack) {
    compact();
  } else if (near_empty() || near_[near_head_].slot == id.slot_) {
    settle();  // next_time() must not see a cancelled event
  }
  return true;
}

bool EventQueue::pending(EventId id) const {
  return id.gen_ != 0 && id.slot_ < slots_.size() && slots_[id.slot_].gen == id.gen_;
}

EventQueue::Event EventQueue::pop() {
  assert(size_ > 0);
  if (near_empty()) settle();
  const Entry top = near_[near_head_];
  pop_near();
  Slot& slot = slots_[top.slot];
  Event ev{Time::from_ns(top.time), std::move(slot.handler)};
  ++slot.gen;
  free_slot(top.slot);
  --size_;
  settle();
  return ev;
}

Time EventQueue::run_next() {
  Event ev = pop();
  ev.handler();
  return ev.time;
}

void EventQueue::restart() {
  // The queue is logically empty: whatever is left are cancelled entries. Dropping them
  // and the ladder means the events scheduled next collect in the overflow, and the
  // ladder is built from all of them at the first pop (a ladder built around the first
  // event alone would fit the rest badly).
  if (cancelled_ > 0) {
    for (std::size_t i = near_head_; i < near_.size(); ++i) free_slot(near_[i].slot);
    for (std::size_t d = 0; d < depth_; ++d) {
      Rung& r = rungs_[d];
      for (std::size_t i = r.cur; i < r.count; ++i) {
        for (const Entry& e : r.buckets[i]) free_slot(e.slot);
        release(r.buckets[i]);
      }
    }
    for (const Entry& e : overflow_) free_slot(e.slot);
    cancelled_ = 0;
  }
  near_.clear();
  near_head_ = 0;
  depth_ = 0;
  overflow_.clear();
  near_end_ = 0;
  near_limit_ = min_near_limit;
}

void EventQueue::settle() {
  // Establishes: if size_ > 0, the near list holds the earliest event first, and it is
  // live. Between a schedule() into an empty queue and the next pop() the near list may
  // instead be empty with every event in the overflow (see restart()).
  for (;;) {
    if (near_empty()) {
      if (size_ == 0 || !refill_near()) return;
      continue;
    }
    const std::uint32_t s = near_[near_head_].slot;
    if ((slots_[s].gen & 1u) != 0) return;
    pop_near();
    free_slot(s);
    --cancelled_;
  }
}

EventQueue::Rung& EventQueue::open_rung(std::size_t depth, std::int64_t start, int shift,
                                        std::size_t count) {
  if (rungs_.size() <= depth) rungs_.resize(depth + 1);
  Rung& r = rungs_[depth];
  r.start = start;
  r.shift = shift;
  r.span = static_cast<std::uint64_t>(count) << shift;
  r.cur = 0;
  r.live = 0;
  r.count = count;
  if (r.buckets.size() < count) r.buckets.resize(count);
  depth_ = depth + 1;
  return r;
}

bool EventQueue::refill_near() {
  for (;;) {
    if (depth_ == 0) {
      if (overflow_.empty()) return false;
      build_rung_from_overflow();
      continue;
    }
    const std::size_t d = depth_ - 1;
    if (rungs_[d].live == 0) {
      // Later inserts below this rung's end now belong to the near list.
      near_end_ = end_of(rungs_[d].start, rungs_[d].span);
      --depth_;
      continue;
    }
    Rung* r = &rungs_[d];
    while (r->buckets[r->cur].empty()) ++r->cur;
    const std::size_t index = r->cur++;
    const std::int64_t bucket_start = r->start + (static_cast<std::int64_t>(index) << r->shift);
    const int shift = r->shift;
    const std::size_t n = r->buckets[index].size();
    r->live -= n;
    if (n > spawn_threshold && shift > 0) {
      // About fine_per_bucket entries per child bucket, at least two child buckets.
      const int split = std::clamp(static_cast<int>(std::bit_width(n / fine_per_bucket)), 1, shift);
      Rung& child = open_rung(d + 1, bucket_start, shift - split, std::size_t{1} << split);
      Bucket& b = rungs_[d].buckets[index];
      for (const Entry& e : b) distribute(child, e);
      release(b);
      continue;
    }
    near_end_ = end_of(bucket_start, std::uint64_t{1} << shift);
    near_.clear();
    near_head_ = 0;
    Bucket& b = r->buckets[index];
    if (n <= spawn_threshold) {
      // The cancelled ones are dropped here rather than sorted and skipped (about half of
      // the events a CPU scheduler schedules are cancelled timers), when the slab is small
      // enough to be cached; in a larger one, reading each handler's slot now instead of
      // at its pop costs more than it saves. Without a branch on each entry (cancelled ones
      // come in no pattern): each is written after the live ones, which take it if it is
      // live, and a cancelled one's slot goes on the free list, with masks rather than
      // conditions (a live slot's next_free, unused while it is pending, is written with
      // its own value).
      near_.resize(n);
      std::size_t live = n;
      if (cancelled_ > 0 && slots_.size() <= prefetch_min_slots) {
        live = 0;
        std::uint32_t head = free_slot_;
        for (std::size_t k = 0; k < n; ++k) {
          const Entry& e = b[k];
          Slot& slot = slots_[e.slot];
          const std::uint32_t alive = slot.gen & 1u;
          const std::uint32_t freed = alive - 1u;  // all ones if cancelled, else zero
          near_[live] = e;
          live += alive;
          slot.next_free = (slot.next_free & ~freed) | (head & freed);
          head = (head & ~freed) | (e.slot & freed);
        }
        free_slot_ = head;
        cancelled_ -= n - live;
      }
      // Insertion sort (cheaper than std::sort for a handful of entries), in place after a
      // drop, else while copying.
      const Entry* from = live < n ? near_.data() : b.data();
      for (std::size_t k = 0; k < live; ++k) {
        const Entry e = from[k];
        std::size_t i = k;
        for (; i > 0 && Earlier{}(e, near_[i - 1]); --i) near_[i] = near_[i - 1];
        near_[i] = e;
      }
      near_.resize(live);
      release(b);
      if (live == 0) continue;
    } else {
      // Only when many events share one nanosecond.
      near_.swap(b);
      std::sort(near_.begin(), near_.end(), Earlier{});
    }
    // With a slab larger than the caches, the next bucket's handlers, needed a few pops
    // from now, are loaded ahead.
    if (slots_.size() > prefetch_min_slots && r->cur < r->count) {
      for (const Entry& e : r->buckets[r->cur]) __builtin_prefetch(&slots_[e.slot]);
    }
    near_limit_ = std::max(min_near_limit, 2 * near_.size());
    return true;
  }
}

void EventQueue::build_rung_from_overflow() {
  const std::uint64_t range = offset(overflow_max_, overflow_min_);
  const int shift = width_shift(
      range, std::clamp<std::uint64_t>(overflow_.size() / fine_per_bucket, 1, max_top_buckets));
  Rung& r = open_rung(0, overflow_min_, shift, static_cast<std::size_t>((range >> shift) + 1));
  near_end_ = r.start;
  for (const Entry& e : overflow_) distribute(r, e);
  overflow_.clear();
}

void EventQueue::compact() {
  // Gathers every entry, frees the cancelled slots and inserts the live entries again
  // (into the overflow, from which settle() rebuilds the ladder).
  std::vector<Entry> all = std::move(overflow_);
  overflow_ = std::vector<Entry>();
  all.insert(all.end(), near_.begin() + static_cast<std::ptrdiff_t>(near_head_), near_.end());
  near_.clear();
  near_head_ = 0;
  for (std::size_t d = 0; d < depth_; ++d) {
    Rung& r = rungs_[d];
    for (std::size_t i = r.cur; i < r.count; ++i) {
      all.insert(all.end(), r.buckets[i].begin(), r.buckets[i].end());
      release(r.buckets[i]);
    }
  }
  depth_ = 0;
  near_end_ = 0;
  for (const Entry& e : all) {
    if (is_live(e)) {
      insert(e);
    } else {
      free_slot(e.slot);
    }
  }
  cancelled_ = 0;
  settle();
}

void EventQueue::clear() {
  // Generations are kept (pending ones retired) so that old EventIds stay harmless.
  free_slot_ = nil;
  for (std::size_t i = slots_.size(); i-- > 0;) {
    Slot& slot = slots_[i];
    if ((slot.gen & 1u) != 0) ++slot.gen;
    slot.handler.reset();
    free_slot(static_cast<std::uint32_t>(i));
  }
  for (std::size_t d = 0; d < depth_; ++d) {
    for (Bucket& b : rungs_[d].buckets) release(b);
  }
  near_.clear();
  near_head_ = 0;
  depth_ = 0;
  overflow_.clear();
  near_end_ = 0;
  size_ = 0;
  cancelled_ = 0;
}

}  // namespace vdc::sim
