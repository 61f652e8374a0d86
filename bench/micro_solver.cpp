// Fair-share solver micro benchmark: `consumers` consumers spread at random over
// max(1, consumers / 100) resources (one resource each, as for vCPUs on hosts), random
// shares and demands, 10% with a limit, 10% with a reservation, about 1.4x overcommitted.
// Only solve() is timed.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>

#include "vdc/sim/fair_share.hpp"
#include "vdc/sim/rng.hpp"

namespace {

void BM_FairShare(benchmark::State& state) {
  const auto consumers = static_cast<std::uint64_t>(state.range(0));
  const std::uint64_t resources = std::max<std::uint64_t>(1, consumers / 100);
  vdc::sim::RngStream rng(7, "bench.fair_share");
  vdc::sim::FairShare fs;
  // 100 consumers of mean demand 1500 on 105,000 MHz: about 1.4x overcommitted.
  const double capacity = 105'000.0 * static_cast<double>(consumers) /
                          static_cast<double>(resources) / 100.0;
  for (std::uint64_t r = 0; r < resources; ++r) fs.add_resource(capacity);
  for (std::uint64_t c = 0; c < consumers; ++c) {
    const double shares = rng.uniform(500.0, 4000.0);
    const double demand = rng.uniform(0.0, 3000.0);
    const double reservation = rng.below(10) == 0 ? rng.uniform(0.0, 500.0) : 0.0;
    const double limit = rng.below(10) == 0 ? rng.uniform(500.0, 2000.0)
                                            : vdc::sim::FairShare::unlimited;
    const auto id = fs.add_consumer(shares, demand, reservation, limit);
    fs.uses(id, static_cast<vdc::sim::FairShare::ResourceId>(rng.below(resources)));
  }
  fs.solve();  // builds the incidence index once, outside the timing
  for (auto _ : state) {
    fs.solve();
    benchmark::DoNotOptimize(fs.allocation(0));
  }
}

}  // namespace

BENCHMARK(BM_FairShare)->Arg(10)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
