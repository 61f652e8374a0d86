#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "vdc/sim/callback.hpp"
#include "vdc/sim/event_queue.hpp"
#include "vdc/sim/rng.hpp"

using namespace vdc::sim;
using namespace vdc::sim::literals;

namespace {

/// Runs every pending event and returns the values the handlers pushed.
std::vector<int> drain(EventQueue& q, std::vector<int>& log) {
  while (!q.empty()) q.run_next();
  return log;
}

/// A random event time relative to `now`, mixing exact ties, near and far events so that
/// every part of the ladder (near list, fine and coarse rungs, overflow) is exercised.
std::int64_t random_time(RngStream& rng, std::int64_t now) {
  switch (rng.below(5)) {
    case 0: return now;                                                // zero delay
    case 1: return now + static_cast<std::int64_t>(rng.below(50));     // many ties
    case 2: return now + static_cast<std::int64_t>(rng.below(1'000'000));
    case 3: return now + static_cast<std::int64_t>(rng.below(1'000'000'000));
    default: return now + static_cast<std::int64_t>(rng.below(std::uint64_t{1} << 50));
  }
}

}  // namespace

TEST_CASE("events run in time order") {
  EventQueue q;
  std::vector<int> log;
  q.schedule(30_ms, [&] { log.push_back(3); });
  q.schedule(10_ms, [&] { log.push_back(1); });
  q.schedule(20_ms, [&] { log.push_back(2); });
  CHECK(q.size() == 3);
  CHECK(q.next_time() == 10_ms);
  CHECK(drain(q, log) == std::vector<int>{1, 2, 3});
}

TEST_CASE("equal times run by priority, then in insertion order") {
  EventQueue q;
  std::vector<int> log;
  q.schedule(5_s, [&] { log.push_back(1); });
  q.schedule(5_s, [&] { log.push_back(2); }, 1);
  q.schedule(5_s, [&] { log.push_back(3); }, -1);
  q.schedule(5_s, [&] { log.push_back(4); });
  q.schedule(5_s, [&] { log.push_back(5); }, -1);
  // Priority -1 first (3, 5 in insertion order), then 0 (1, 4), then 1 (2).
  CHECK(drain(q, log) == std::vector<int>{3, 5, 1, 4, 2});
}

TEST_CASE("run_next returns the event's time and pop hands over the handler") {
  EventQueue q;
  int hits = 0;
  q.schedule(7_us, [&] { ++hits; });
  q.schedule(9_us, [&] { hits += 10; });
  CHECK(q.run_next() == 7_us);
  CHECK(hits == 1);
  EventQueue::Event ev = q.pop();
  CHECK(ev.time == 9_us);
  CHECK(q.empty());
  ev.handler();
  CHECK(hits == 11);
}

TEST_CASE("cancel is true only for a pending event") {
  EventQueue q;
  int hits = 0;
  const EventId a = q.schedule(1_s, [&] { ++hits; });
  const EventId b = q.schedule(2_s, [&] { hits += 10; });
  CHECK(q.pending(a));
  CHECK(q.cancel(a));
  CHECK_FALSE(q.pending(a));
  CHECK_FALSE(q.cancel(a));        // already cancelled
  CHECK_FALSE(q.cancel(EventId{}));  // invalid id
  CHECK_FALSE(EventId{}.valid());
  CHECK(b.valid());
  CHECK(q.size() == 1);
  CHECK(q.next_time() == 2_s);
  q.run_next();
  CHECK(hits == 10);
  CHECK_FALSE(q.cancel(b));  // already fired
  CHECK(q.empty());
}

TEST_CASE("a reused slot does not make an old id cancel the new event") {
  EventQueue q;
  const EventId old_id = q.schedule(1_s, [] {});
  q.run_next();
  const EventId new_id = q.schedule(2_s, [] {});  // takes the freed slot
  CHECK_FALSE(q.cancel(old_id));
  CHECK(q.pending(new_id));
  CHECK(q.size() == 1);
}

TEST_CASE("handlers may schedule and cancel events while running") {
  EventQueue q;
  std::vector<int> log;
  EventId victim;
  q.schedule(1_ms, [&] {
    log.push_back(1);
    q.schedule(1_ms, [&] { log.push_back(2); });  // same time, runs after this one
    q.cancel(victim);
  });
  victim = q.schedule(2_ms, [&] { log.push_back(99); });
  q.schedule(3_ms, [&] { log.push_back(3); });
  CHECK(drain(q, log) == std::vector<int>{1, 2, 3});
}

TEST_CASE("an event scheduled earlier than every pending one runs first") {
  // The first event is late, so the ladder is built around it; later ones must still
  // come out first (they go to the near list and, in numbers, to a demoted rung).
  EventQueue q;
  std::vector<std::int64_t> times;
  q.schedule(1_h, [] {});
  for (std::int64_t i = 999; i >= 0; --i) q.schedule(Time::from_ns(i * 1000), [] {});
  while (!q.empty()) times.push_back(q.run_next().ns());
  REQUIRE(times.size() == 1001);
  CHECK(std::is_sorted(times.begin(), times.end()));
  CHECK(times.front() == 0);
  CHECK(times.back() == (1_h).ns());
}

TEST_CASE("next_time skips an earliest event that was cancelled") {
  EventQueue q;
  q.schedule(5_s, [] {});
  const EventId early = q.schedule(3_s, [] {});
  CHECK(q.next_time() == 3_s);
  q.cancel(early);
  CHECK(q.next_time() == 5_s);
  CHECK(q.size() == 1);
}

TEST_CASE("events arriving in decreasing time order during a run keep their order") {
  // Each event schedules many earlier-than-everything events close to now, in decreasing
  // order: the near list keeps overflowing into new rungs until the ladder is rebuilt.
  EventQueue q;
  std::vector<std::int64_t> times;
  q.schedule(Time::zero(), [&] {
    for (std::int64_t i = 20'000; i > 0; --i) {
      q.schedule(Time::from_ns(1'000'000 + i), [] {});
    }
  });
  q.schedule(2_ms, [] {});
  while (!q.empty()) times.push_back(q.run_next().ns());
  REQUIRE(times.size() == 20'002);
  CHECK(std::is_sorted(times.begin(), times.end()));
  CHECK(times[1] == 1'000'001);
  CHECK(times.back() == 2'000'000);
}

TEST_CASE("a queue emptied by cancellations starts afresh") {
  EventQueue q;
  std::vector<EventId> ids;
  for (int i = 0; i < 500; ++i) ids.push_back(q.schedule(Time::from_ns(i * 7), [] {}));
  q.run_next();  // builds the ladder
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) q.cancel(*it);  // latest first
  CHECK(q.empty());
  int hits = 0;
  q.schedule(1_ms, [&] { ++hits; });
  q.schedule(2_ns, [&] { hits += 10; });
  CHECK(q.size() == 2);
  CHECK(q.next_time() == 2_ns);
  CHECK(q.run_next() == 2_ns);
  CHECK(q.run_next() == 1_ms);
  CHECK(hits == 11);
}

TEST_CASE("times near the end of the representable range keep their order") {
  EventQueue q;
  const Time last = Time::max() - 1_ns;
  std::vector<Time> times;
  q.schedule(last, [] {});
  q.schedule(Time::from_ns(std::int64_t{1} << 62), [] {});
  q.schedule(Time::zero(), [] {});
  q.schedule(last - 1_h, [] {});
  q.run_next();
  q.schedule(last, [] {});  // after the ladder is built around such times
  while (!q.empty()) times.push_back(q.run_next());
  CHECK(times == std::vector<Time>{Time::from_ns(std::int64_t{1} << 62), last - 1_h, last, last});
}

TEST_CASE("clear drops every event without running it and old ids stay harmless") {
  EventQueue q;
  int hits = 0;
  const EventId a = q.schedule(1_s, [&] { ++hits; });
  for (int i = 0; i < 1000; ++i) q.schedule(Time::from_ns(i), [&] { ++hits; });
  q.run_next();  // builds the ladder
  hits = 0;
  q.clear();
  CHECK(q.empty());
  CHECK_FALSE(q.cancel(a));
  q.schedule(5_s, [&] { hits += 7; });
  CHECK(q.run_next() == 5_s);
  CHECK(hits == 7);
}

TEST_CASE("the order equals a sort by (time, priority, sequence) on 100k random events") {
  // Static check: schedule everything, cancel a random 20%, then pop all.
  RngStream rng(2024, "test.event_queue.static");
  EventQueue q;
  using Key = std::tuple<std::int64_t, int, int>;  // (time, priority, sequence)
  std::vector<Key> keys;
  std::vector<EventId> ids;
  std::vector<int> fired;
  constexpr int n = 100'000;
  for (int i = 0; i < n; ++i) {
    const std::int64_t t = random_time(rng, 0);
    const int prio = static_cast<int>(rng.below(3)) - 1;
    keys.emplace_back(t, prio, i);
    ids.push_back(q.schedule(Time::from_ns(t), [&fired, i] { fired.push_back(i); }, prio));
  }
  std::vector<bool> cancelled(n, false);
  for (int i = 0; i < n / 5; ++i) {
    const auto k = static_cast<std::size_t>(rng.below(n));
    CHECK(q.cancel(ids[k]) == !cancelled[k]);
    cancelled[k] = true;
  }
  std::vector<Key> expected;
  for (int i = 0; i < n; ++i) {
    if (!cancelled[static_cast<std::size_t>(i)]) expected.push_back(keys[static_cast<std::size_t>(i)]);
  }
  std::sort(expected.begin(), expected.end());
  CHECK(q.size() == expected.size());
  std::vector<std::int64_t> times;
  while (!q.empty()) times.push_back(q.run_next().ns());
  REQUIRE(fired.size() == expected.size());
  bool same = true;
  for (std::size_t i = 0; i < fired.size(); ++i) {
    same = same && std::get<2>(expected[i]) == fired[i] && std::get<0>(expected[i]) == times[i];
  }
  CHECK(same);
}

TEST_CASE("interleaved schedules, cancels and pops match an ordered-set reference") {
  // Dynamic check in simulation style: times never go back, handlers are popped one at
  // a time, and bursts of cancellations trigger compactions.
  RngStream rng(7, "test.event_queue.dynamic");
  EventQueue q;
  using Key = std::tuple<std::int64_t, int, std::uint64_t>;  // (time, priority, sequence)
  std::set<Key> reference;
  std::vector<std::pair<Key, EventId>> live;  // candidates for cancellation
  std::uint64_t seq = 0;
  std::int64_t now = 0;
  std::uint64_t last_fired = 0;
  bool ok = true;
  for (int step = 0; step < 200'000; ++step) {
    const std::uint64_t op = rng.below(100);
    if (op < 50 || reference.empty()) {
      const Key k{random_time(rng, now), static_cast<int>(rng.below(5)) - 2, seq++};
      const EventId id = q.schedule(Time::from_ns(std::get<0>(k)),
                                    [&last_fired, s = std::get<2>(k)] { last_fired = s; },
                                    std::get<1>(k));
      reference.insert(k);
      live.emplace_back(k, id);
    } else if (op < 60 || (op >= 98 && live.size() > 2000)) {
      // Cancel a random remembered event (which may have fired already).
      const auto burst = op >= 98 ? live.size() / 2 : 1;
      for (std::size_t b = 0; b < burst && !live.empty(); ++b) {
        const auto i = static_cast<std::size_t>(rng.below(live.size()));
        const bool was_pending = reference.erase(live[i].first) == 1;
        ok = ok && q.cancel(live[i].second) == was_pending;
        live[i] = live.back();
        live.pop_back();
      }
    } else {
      const Key first = *reference.begin();
      reference.erase(reference.begin());
      ok = ok && q.next_time().ns() == std::get<0>(first);
      now = q.run_next().ns();
      ok = ok && now == std::get<0>(first) && last_fired == std::get<2>(first);
    }
    ok = ok && q.size() == reference.size();
    if (live.size() > 50'000) live.erase(live.begin(), live.begin() + 25'000);
  }
  CHECK(ok);
  while (!q.empty()) {
    const Key first = *reference.begin();
    reference.erase(reference.begin());
    q.run_next();
    ok = ok && last_fired == std::get<2>(first);
  }
  CHECK(ok);
  CHECK(reference.empty());
}

TEST_CASE("timers moved again and again, as a CPU scheduler's, match an ordered-set reference") {
  // 300 timers, at most one pending each, a few microseconds to milliseconds ahead: each
  // step moves one (cancel, schedule again) or lets the earliest fire. Most scheduled
  // events are cancelled and the slab stays small, so whole buckets are found cancelled
  // when they are sorted into the near list.
  RngStream rng(11, "test.event_queue.timers");
  EventQueue q;
  using Key = std::pair<std::int64_t, std::uint64_t>;  // (time, sequence)
  std::set<Key> reference;
  struct Timer {
    Key key{-1, 0};
    EventId id;
  };
  std::vector<Timer> timers(300);
  std::uint64_t seq = 0;
  std::int64_t now = 0;
  std::uint64_t last_fired = 0;
  std::size_t fired = 0;
  bool ok = true;
  const auto arm = [&](Timer& t) {
    if (t.key.first >= 0) {
      ok = ok && q.cancel(t.id) == (reference.erase(t.key) == 1);
    }
    const std::int64_t ahead = rng.below(4) == 0 ? 1 + static_cast<std::int64_t>(rng.below(50))
                                                 : 1000 + static_cast<std::int64_t>(rng.below(3'000'000));
    t.key = Key{now + ahead, seq++};
    t.id = q.schedule(Time::from_ns(t.key.first), [&last_fired, s = t.key.second] { last_fired = s; });
    reference.insert(t.key);
  };
  for (Timer& t : timers) arm(t);
  for (int step = 0; step < 300'000; ++step) {
    if (rng.below(3) != 0) {
      arm(timers[static_cast<std::size_t>(rng.below(timers.size()))]);
    } else {
      const Key first = *reference.begin();
      reference.erase(reference.begin());
      now = q.run_next().ns();
      ok = ok && now == first.first && last_fired == first.second;
      ++fired;
      for (Timer& t : timers) {
        if (t.key == first) arm(t);  // fired: armed again from now
      }
    }
    ok = ok && q.size() == reference.size();
  }
  CHECK(ok);
  CHECK(fired > 90'000);
  CHECK(seq > 2 * fired);  // most scheduled events were cancelled
}

// Handlers capturing up to four pointers are stored without allocating.
static_assert(sizeof(Callback) == 40);
static_assert(Callback::fits_inline<decltype([a = 1.0, b = 2.0, c = 3.0, d = 4.0] { (void)(a + b + c + d); })>());
static_assert(!Callback::fits_inline<decltype([a = std::array<double, 5>{}] { (void)a; })>());

TEST_CASE("a callback keeps small and large captures and destroys them exactly once") {
  auto counter = std::make_shared<int>(0);
  {
    EventQueue q;
    auto owned = std::make_unique<int>(5);
    q.schedule(1_s, [counter, p = std::move(owned)] { *counter += *p; });  // move-only
    struct Big { std::int64_t a[16]; };
    Big big{};
    big.a[15] = 37;
    q.schedule(2_s, [counter, big] { *counter += static_cast<int>(big.a[15]); });  // heap
    q.schedule(3_s, [counter] { *counter += 1000; });  // never run
    CHECK(counter.use_count() == 4);
    q.run_next();
    q.run_next();
    CHECK(*counter == 42);
    CHECK(counter.use_count() == 2);  // the two run handlers were destroyed
  }
  CHECK(counter.use_count() == 1);  // the pending one went with the queue
  CHECK(*counter == 42);
  Callback empty;
  CHECK_FALSE(empty);
}
