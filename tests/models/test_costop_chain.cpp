// The fluid model's vCPU-state chain (docs/models.md "Co-stop in the fluid model"), on a
// case solved by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "vdc/models/cpu/costop_chain.hpp"

using namespace vdc::models::cpu;

namespace {

// Two always-busy vCPUs (no burst ever ends), preempted at 1 per threshold each,
// dispatched at 1, co-started as soon as the laggard has caught up (costart 0: rate 1).
CostopChainInput two_busy() {
  CostopChainInput in;
  in.vcpus = 2;
  in.wake_rate = 1.0;  // idle states are left and never re-entered
  in.finish_rate = 0.0;
  in.preempt_rate = 1.0;
  in.costart = 0.0;
  return in;
}

}  // namespace

TEST_CASE("two busy vCPUs: the chain's state fractions solved by hand") {
  // States (running, ready, co-stopped): A (2,0,0), B (1,1,0), C (0,2,0), D (0,1,1),
  // E (1,0,1). Balance: A: 2A = B; C: 2C = B; E: 2E = D (out co-start 1 + preempt 1, in
  // dispatch of D's laggard); D: D = B (co-stop) + E (preempt). So E = B, D = 2B, A = C =
  // B / 2, and A + ... + E = 5B = 1: (0.1, 0.2, 0.1, 0.4, 0.2). Per vCPU: run (2A + B +
  // E) / 2 = 0.3, ready (B + 2C + D) / 2 = 0.4, co-stop (D + E) / 2 = 0.3.
  const CostopChainResult r = costop_chain_at(two_busy(), 1.0);
  CHECK(r.run == doctest::Approx(0.3));
  CHECK(r.ready == doctest::Approx(0.4));
  CHECK(r.costop == doctest::Approx(0.3));
  CHECK(r.wait == doctest::Approx(0.0).epsilon(1e-12));
}

TEST_CASE("the chain finds the dispatch rate that gives the waiting asked for") {
  CostopChainInput in = two_busy();
  in.waiting = 0.7;  // = ready 0.4 + co-stop 0.3 at dispatch rate 1 (above)
  const CostopChainResult r = solve_costop_chain(in);
  CHECK(r.dispatch_rate == doctest::Approx(1.0).epsilon(1e-4));
  CHECK(r.costop == doctest::Approx(0.3).epsilon(1e-4));
}

TEST_CASE("idle vCPUs make progress: with no sibling ever waiting, nothing co-stops") {
  // Two vCPUs that think and run but are dispatched at once (a very fast dispatch): the
  // co-stop share tends to nothing, and idle time is burst / think as alone.
  CostopChainInput in;
  in.vcpus = 2;
  in.wake_rate = 1.0;
  in.finish_rate = 1.0;
  const CostopChainResult r = costop_chain_at(in, 1e6);
  CHECK(r.costop < 1e-5);
  CHECK(r.run == doctest::Approx(0.5).epsilon(1e-4));
  CHECK(r.wait == doctest::Approx(0.5).epsilon(1e-4));
}

TEST_CASE("the cache solves a chain once for inputs on one grid point") {
  CostopChainCache cache;
  CostopChainInput in = two_busy();
  in.waiting = 0.5;
  const double a = cache.costop_share(in);
  in.waiting = 0.5 + 1e-4;  // rounds to the same 16/32
  in.preempt_rate = 1.0 + 1e-4;
  const double b = cache.costop_share(in);
  CHECK(a == b);
  CHECK(cache.solves() == 1);
  CHECK(cache.size() == 1);
  CHECK(a > 0.0);
  CHECK(a < 1.0);
}

TEST_CASE("the search finds the dispatch rate to far below the cache's rounding, from anywhere") {
  // Waiting 0.7 is met at dispatch rate 1 exactly (solved by hand above). Cold, or started
  // from a far or a near nearby answer (its rate and slope), the search ends at that rate
  // to 1e-9 of an octave and reports where it ended and the slope there.
  CostopChainInput in = two_busy();
  in.waiting = 0.7;
  CostopChainHint cold;
  const CostopChainResult a = solve_costop_chain(in, nullptr, &cold);
  CHECK(std::abs(std::log2(a.dispatch_rate)) < 1e-9);
  CHECK(std::abs(cold.log_rate) < 1e-9);
  // 0: unknown (the cold start, one dispatch per threshold, is the answer at once)
  CHECK(cold.slope <= 0.0);
  for (const CostopChainHint hint : {CostopChainHint{12.0, -0.01}, CostopChainHint{-15.0, 0.0},
                                     CostopChainHint{0.05, cold.slope}}) {
    CAPTURE(hint.log_rate);
    CostopChainHint found;
    const CostopChainResult b = solve_costop_chain(in, &hint, &found);
    CHECK(std::abs(std::log2(b.dispatch_rate)) < 1e-9);
    CHECK(std::abs(found.log_rate - std::log2(b.dispatch_rate)) < 1e-12);
    CHECK(b.costop == doctest::Approx(0.3).epsilon(1e-9));
    CHECK(b.ready + b.costop == doctest::Approx(0.7).epsilon(1e-11));
  }
}

TEST_CASE("a waiting beyond the chain's reach is met at the end of the range, cold or warm") {
  // More waiting than the slowest dispatch (2^-16 per threshold) leaves: the search ends
  // there, whether it starts cold or from a nearby answer on the far side.
  CostopChainInput in = two_busy();
  const CostopChainResult slowest = costop_chain_at(in, std::exp2(-16.0));
  in.waiting = (slowest.ready + slowest.costop + 1.0) / 2.0;
  const CostopChainHint near{3.0, -0.1};
  for (const CostopChainHint* hint : {static_cast<const CostopChainHint*>(nullptr), &near}) {
    const CostopChainResult r = solve_costop_chain(in, hint);
    CHECK(r.dispatch_rate == std::exp2(-16.0));
    CHECK(r.ready + r.costop == doctest::Approx(slowest.ready + slowest.costop).epsilon(1e-12));
  }
}

TEST_CASE("the cache's shares do not depend on which grid point was solved first") {
  // Two caches solve the same grid points in opposite orders, so each search starts from a
  // different neighbour: the shares agree to far below what any report prints.
  CostopChainInput in;
  in.vcpus = 8;
  in.wake_rate = 0.6;
  in.finish_rate = 0.3;
  in.preempt_rate = 0.15;
  in.costart = 0.0;
  std::vector<CostopChainInput> points;
  for (const double w : {0.2, 0.25, 0.5}) {
    for (const double wake : {0.6, 0.85, 2.0}) {
      in.waiting = w;
      in.wake_rate = wake;
      points.push_back(in);
    }
  }
  CostopChainCache forward, backward;
  std::vector<double> a, b(points.size());
  for (const CostopChainInput& p : points) a.push_back(forward.costop_share(p));
  for (std::size_t i = points.size(); i-- > 0;) b[i] = backward.costop_share(points[i]);
  for (std::size_t i = 0; i < points.size(); ++i) {
    CAPTURE(i);
    CHECK(a[i] > 0.0);
    CHECK(std::abs(a[i] - b[i]) < 1e-9);
  }
  CHECK(forward.solves() == points.size());
}
