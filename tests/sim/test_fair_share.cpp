#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "vdc/sim/fair_share.hpp"
#include "vdc/sim/rng.hpp"

using namespace vdc::sim;

namespace {
constexpr double inf = FairShare::unlimited;
/// Relative tolerance for results that are exact up to floating-point rounding.
constexpr double eps = 1e-12;
}  // namespace

TEST_CASE("equal shares on one resource split it equally") {
  FairShare fs;
  const auto cpu = fs.add_resource(3000.0);
  for (int i = 0; i < 3; ++i) fs.uses(fs.add_consumer(1000.0, inf), cpu);
  fs.solve();
  for (FairShare::ConsumerId c = 0; c < 3; ++c) CHECK(fs.allocation(c) == doctest::Approx(1000.0).epsilon(eps));
  CHECK(fs.load(cpu) == doctest::Approx(3000.0).epsilon(eps));
}

TEST_CASE("shares 1:2 give one third and two thirds") {
  FairShare fs;
  const auto cpu = fs.add_resource(1.0);
  const auto a = fs.add_consumer(1000.0, inf);
  const auto b = fs.add_consumer(2000.0, inf);
  fs.uses(a, cpu);
  fs.uses(b, cpu);
  fs.solve();
  CHECK(fs.allocation(a) == doctest::Approx(1.0 / 3.0).epsilon(eps));
  CHECK(fs.allocation(b) == doctest::Approx(2.0 / 3.0).epsilon(eps));
}

TEST_CASE("shares 1000/1000/2000 on 8000 MHz give 2000/2000/4000") {
  // Level L with 1000 L + 1000 L + 2000 L = 8000: L = 2.
  FairShare fs;
  const auto cpu = fs.add_resource(8000.0);
  const auto a = fs.add_consumer(1000.0, inf);
  const auto b = fs.add_consumer(1000.0, inf);
  const auto c = fs.add_consumer(2000.0, inf);
  for (const auto x : {a, b, c}) fs.uses(x, cpu);
  fs.solve();
  CHECK(fs.allocation(a) == doctest::Approx(2000.0).epsilon(eps));
  CHECK(fs.allocation(b) == doctest::Approx(2000.0).epsilon(eps));
  CHECK(fs.allocation(c) == doctest::Approx(4000.0).epsilon(eps));
}

TEST_CASE("a limit frees capacity for the others") {
  // As above, but the first VM is limited to 1000 MHz (its share would be 2000): the
  // other two split the remaining 7000 as 1:2, i.e. 2333.33 and 4666.67.
  FairShare fs;
  const auto cpu = fs.add_resource(8000.0);
  const auto a = fs.add_consumer(1000.0, inf, 0.0, 1000.0);
  const auto b = fs.add_consumer(1000.0, inf);
  const auto c = fs.add_consumer(2000.0, inf);
  for (const auto x : {a, b, c}) fs.uses(x, cpu);
  fs.solve();
  CHECK(fs.allocation(a) == doctest::Approx(1000.0).epsilon(eps));
  CHECK(fs.allocation(b) == doctest::Approx(7000.0 / 3.0).epsilon(eps));
  CHECK(fs.allocation(c) == doctest::Approx(14000.0 / 3.0).epsilon(eps));
}

TEST_CASE("a reservation takes precedence over shares") {
  // 6000 MHz. VM1 (1000 shares) wants 500; VM2 (1000 shares, reservation 2250) and VM3
  // (2000 shares) want all. With level L: 500 + max(1000 L, 2250) + 2000 L = 6000.
  // Trying 1000 L <= 2250: 2750 + 2000 L = 6000, L = 1.625 (and 1625 <= 2250 holds), so
  // VM1 500, VM2 2250 (its reservation), VM3 3250. Without the reservation VM2 would get
  // 5500/3 = 1833.33.
  FairShare fs;
  const auto cpu = fs.add_resource(6000.0);
  const auto vm1 = fs.add_consumer(1000.0, 500.0);
  const auto vm2 = fs.add_consumer(1000.0, inf, 2250.0);
  const auto vm3 = fs.add_consumer(2000.0, inf);
  for (const auto x : {vm1, vm2, vm3}) fs.uses(x, cpu);
  fs.solve();
  CHECK(fs.allocation(vm1) == doctest::Approx(500.0).epsilon(eps));
  CHECK(fs.allocation(vm2) == doctest::Approx(2250.0).epsilon(eps));
  CHECK(fs.allocation(vm3) == doctest::Approx(3250.0).epsilon(eps));
  fs.set_reservation(vm2, 0.0);
  fs.solve();
  CHECK(fs.allocation(vm2) == doctest::Approx(5500.0 / 3.0).epsilon(eps));
  CHECK(fs.allocation(vm3) == doctest::Approx(11000.0 / 3.0).epsilon(eps));
}

TEST_CASE("a consumer capped by its demand leaves the rest to the others") {
  // 10000 MHz; 4000 shares using only 10% (1000 MHz) and 2000 shares wanting all: the
  // second gets the other 90%, although its share alone would be one third.
  FairShare fs;
  const auto cpu = fs.add_resource(10000.0);
  const auto big = fs.add_consumer(4000.0, 1000.0);
  const auto small = fs.add_consumer(2000.0, inf);
  fs.uses(big, cpu);
  fs.uses(small, cpu);
  fs.solve();
  CHECK(fs.allocation(big) == doctest::Approx(1000.0).epsilon(eps));
  CHECK(fs.allocation(small) == doctest::Approx(9000.0).epsilon(eps));
}

TEST_CASE("a flow across two links is held back by the tighter one") {
  // Classic max-min example: link 1 (10 Mbps) carries the long flow and flow A; link 2
  // (30 Mbps) carries the long flow and flows B and C. Link 1 saturates first at level 5
  // (5 + 5 = 10), freezing the long flow and A at 5; link 2 then fills B and C to
  // (30 - 5) / 2 = 12.5 each.
  FairShare fs;
  const auto l1 = fs.add_resource(10.0);
  const auto l2 = fs.add_resource(30.0);
  const auto lng = fs.add_consumer(1.0, inf);
  const auto a = fs.add_consumer(1.0, inf);
  const auto b = fs.add_consumer(1.0, inf);
  const auto c = fs.add_consumer(1.0, inf);
  fs.uses(lng, l1);
  fs.uses(lng, l2);
  fs.uses(a, l1);
  fs.uses(b, l2);
  fs.uses(c, l2);
  fs.solve();
  CHECK(fs.allocation(lng) == doctest::Approx(5.0).epsilon(eps));
  CHECK(fs.allocation(a) == doctest::Approx(5.0).epsilon(eps));
  CHECK(fs.allocation(b) == doctest::Approx(12.5).epsilon(eps));
  CHECK(fs.allocation(c) == doctest::Approx(12.5).epsilon(eps));
  CHECK(fs.load(l1) == doctest::Approx(10.0).epsilon(eps));
  CHECK(fs.load(l2) == doctest::Approx(30.0).epsilon(eps));
}

TEST_CASE("a coefficient scales what a consumer draws from a resource") {
  // 12 units; A draws 2 per unit of rate, B 1, equal weights: 2 L + L = 12, L = 4, so
  // both get rate 4 and A loads the resource with 8.
  FairShare fs;
  const auto r = fs.add_resource(12.0);
  const auto a = fs.add_consumer(1.0, inf);
  const auto b = fs.add_consumer(1.0, inf);
  fs.uses(a, r, 2.0);
  fs.uses(b, r);
  fs.solve();
  CHECK(fs.allocation(a) == doctest::Approx(4.0).epsilon(eps));
  CHECK(fs.allocation(b) == doctest::Approx(4.0).epsilon(eps));
  CHECK(fs.load(r) == doctest::Approx(12.0).epsilon(eps));
}

TEST_CASE("a zero-capacity resource gives nothing to its consumers") {
  // The down link has capacity 0: its flow and the flow also crossing the up link get 0,
  // and the other flow on the up link gets all 100.
  FairShare fs;
  const auto down = fs.add_resource(0.0);
  const auto up = fs.add_resource(100.0);
  const auto stuck = fs.add_consumer(1.0, inf, 10.0);
  const auto crossing = fs.add_consumer(1.0, inf);
  const auto other = fs.add_consumer(1.0, inf);
  fs.uses(stuck, down);
  fs.uses(crossing, down);
  fs.uses(crossing, up);
  fs.uses(other, up);
  fs.solve();
  CHECK(fs.allocation(stuck) == 0.0);
  CHECK(fs.allocation(crossing) == 0.0);
  CHECK(fs.allocation(other) == doctest::Approx(100.0).epsilon(eps));
}

TEST_CASE("a zero-weight consumer gets its reservation only") {
  // 1000 units: the weight-0 consumer reserves 100 and wants all, the other wants 300;
  // 600 stay idle because weight 0 never rises above its floor.
  FairShare fs;
  const auto r = fs.add_resource(1000.0);
  const auto zero = fs.add_consumer(0.0, inf, 100.0);
  const auto other = fs.add_consumer(1.0, 300.0);
  fs.uses(zero, r);
  fs.uses(other, r);
  fs.solve();
  CHECK(fs.allocation(zero) == doctest::Approx(100.0).epsilon(eps));
  CHECK(fs.allocation(other) == doctest::Approx(300.0).epsilon(eps));
  CHECK(fs.load(r) == doctest::Approx(400.0).epsilon(eps));
}

TEST_CASE("reservations beyond capacity are scaled down in proportion") {
  // Floors 800 + 400 = 1200 on 1000: both scaled by 1000/1200, giving 666.67 and 333.33,
  // and nothing is left to share.
  FairShare fs;
  const auto r = fs.add_resource(1000.0);
  const auto a = fs.add_consumer(1.0, inf, 800.0);
  const auto b = fs.add_consumer(5.0, inf, 400.0);
  fs.uses(a, r);
  fs.uses(b, r);
  fs.solve();
  CHECK(fs.allocation(a) == doctest::Approx(2000.0 / 3.0).epsilon(eps));
  CHECK(fs.allocation(b) == doctest::Approx(1000.0 / 3.0).epsilon(eps));
}

TEST_CASE("an uncontended resource gives every consumer its demand") {
  FairShare fs;
  const auto r = fs.add_resource(1000.0);
  const auto a = fs.add_consumer(1.0, 100.0);
  const auto b = fs.add_consumer(9.0, 200.0, 0.0, 150.0);  // limit below demand
  const auto lone = fs.add_consumer(1.0, 42.0);           // uses no resource
  fs.uses(a, r);
  fs.uses(b, r);
  fs.solve();
  CHECK(fs.allocation(a) == 100.0);
  CHECK(fs.allocation(b) == 150.0);
  CHECK(fs.allocation(lone) == 42.0);
  CHECK(fs.load(r) == 250.0);
}

TEST_CASE("a re-solve follows changed demands and capacities") {
  FairShare fs;
  const auto r = fs.add_resource(100.0);
  const auto a = fs.add_consumer(1.0, inf);
  const auto b = fs.add_consumer(1.0, inf);
  fs.uses(a, r);
  fs.uses(b, r);
  fs.solve();
  CHECK(fs.allocation(a) == doctest::Approx(50.0).epsilon(eps));
  fs.set_demand(a, 20.0);
  fs.solve();
  CHECK(fs.allocation(a) == doctest::Approx(20.0).epsilon(eps));
  CHECK(fs.allocation(b) == doctest::Approx(80.0).epsilon(eps));
  fs.set_capacity(r, 30.0);
  fs.set_weight(b, 2.0);
  fs.set_limit(a, 5.0);
  fs.solve();
  CHECK(fs.allocation(a) == doctest::Approx(5.0).epsilon(eps));
  CHECK(fs.allocation(b) == doctest::Approx(25.0).epsilon(eps));
  CHECK(fs.consumers() == 2);
  CHECK(fs.resources() == 1);
  fs.clear();
  CHECK(fs.consumers() == 0);
  CHECK(fs.resources() == 0);
}

TEST_CASE("single-resource allocations match a bisection on the water level") {
  // Reference: the level L where sum clamp(w L, f, u) = capacity, found by bisection,
  // on random instances with limits, reservations and zero weights.
  RngStream rng(99, "test.fair_share.bisection");
  bool ok = true;
  for (int trial = 0; trial < 200; ++trial) {
    FairShare fs;
    const double cap = rng.uniform(100.0, 10000.0);
    const auto r = fs.add_resource(cap);
    const std::size_t n = 1 + rng.below(30);
    std::vector<double> w, f, u;
    for (std::size_t i = 0; i < n; ++i) {
      const double weight = rng.below(10) == 0 ? 0.0 : rng.uniform(1.0, 4000.0);
      const double demand = rng.below(4) == 0 ? inf : rng.uniform(0.0, 2000.0);
      const double res = rng.below(4) == 0 ? rng.uniform(0.0, cap / (4.0 * static_cast<double>(n))) : 0.0;
      const double limit = rng.below(5) == 0 ? rng.uniform(0.0, 1500.0) : inf;
      fs.uses(fs.add_consumer(weight, demand, res, limit), r);
      w.push_back(weight);
      u.push_back(std::min(demand, limit));
      f.push_back(std::min(res, u.back()));
    }
    fs.solve();
    auto total = [&](double level) {
      double s = 0.0;
      for (std::size_t i = 0; i < n; ++i) s += std::clamp(w[i] * level, f[i], u[i]);
      return s;
    };
    double lo = 0.0, hi = 1e6;
    const bool saturated = total(hi) >= cap;
    for (int it = 0; it < 200 && saturated; ++it) {
      const double mid = 0.5 * (lo + hi);
      (total(mid) < cap ? lo : hi) = mid;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double expected = saturated ? std::clamp(w[i] * hi, f[i], u[i]) : (w[i] > 0.0 ? u[i] : f[i]);
      ok = ok && std::abs(fs.allocation(static_cast<FairShare::ConsumerId>(i)) - expected) <= 1e-6 * (1.0 + expected);
    }
    ok = ok && fs.load(r) <= cap * (1.0 + 1e-12);
  }
  CHECK(ok);
}

TEST_CASE("multi-resource allocations are feasible and every consumer has a bottleneck") {
  // Weighted max-min fairness (no floors here): every flow is at its demand, or crosses a
  // saturated link on which no flow has a higher rate per weight.
  RngStream rng(5, "test.fair_share.network");
  bool ok = true;
  for (int trial = 0; trial < 50; ++trial) {
    FairShare fs;
    const int links = 2 + static_cast<int>(rng.below(6));
    for (int l = 0; l < links; ++l) fs.add_resource(rng.uniform(10.0, 100.0));
    const int flows = 1 + static_cast<int>(rng.below(20));
    std::vector<std::vector<FairShare::ResourceId>> path(static_cast<std::size_t>(flows));
    std::vector<double> weight, demand;
    for (int i = 0; i < flows; ++i) {
      weight.push_back(rng.uniform(1.0, 3.0));
      demand.push_back(rng.below(3) == 0 ? rng.uniform(1.0, 30.0) : inf);
      const auto c = fs.add_consumer(weight.back(), demand.back());
      for (int l = 0; l < links; ++l) {
        if (rng.below(3) == 0 || l == i % links) {
          fs.uses(c, static_cast<FairShare::ResourceId>(l));
          path[static_cast<std::size_t>(i)].push_back(static_cast<FairShare::ResourceId>(l));
        }
      }
    }
    fs.solve();
    const auto rate = [&](int i) { return fs.allocation(static_cast<FairShare::ConsumerId>(i)); };
    for (int l = 0; l < links; ++l) {
      const auto r = static_cast<FairShare::ResourceId>(l);
      ok = ok && fs.load(r) <= fs.capacity(r) * (1 + 1e-9);
    }
    for (int i = 0; i < flows; ++i) {
      if (rate(i) >= demand[static_cast<std::size_t>(i)] * (1 - 1e-9)) continue;
      bool has_bottleneck = false;
      for (const auto l : path[static_cast<std::size_t>(i)]) {
        if (fs.load(l) < fs.capacity(l) * (1 - 1e-9)) continue;
        bool highest = true;
        for (int j = 0; j < flows; ++j) {
          const auto& pj = path[static_cast<std::size_t>(j)];
          if (std::find(pj.begin(), pj.end(), l) == pj.end()) continue;
          highest = highest && rate(j) / weight[static_cast<std::size_t>(j)] <=
                                   rate(i) / weight[static_cast<std::size_t>(i)] * (1 + 1e-9);
        }
        has_bottleneck = has_bottleneck || highest;
      }
      ok = ok && has_bottleneck;
    }
  }
  CHECK(ok);
}
