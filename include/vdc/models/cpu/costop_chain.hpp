#pragma once
/// The fluid model's co-stop estimate (docs/models.md "Co-stop in the fluid model"): a
/// continuous-time Markov chain of the busy vCPUs of one SMP VM, each idle, ready, running
/// or co-stopped, under the detailed model's relaxed co-scheduling rules. Its state is the
/// number of vCPUs in each state, so a VM of n busy vCPUs has (n + 1)(n + 2)(n + 3) / 6
/// states (165 for 8); solved with sim::Ctmc.

#include <cstdint>
#include <map>
#include <mutex>
#include <tuple>

#include "vdc/sim/ctmc.hpp"

namespace vdc::models::cpu {

/// VMs with more busy vCPUs are solved as this many: the co-stop share levels off.
inline constexpr int costop_chain_max_vcpus = 8;

/// One VM's chain. Times are in units of the skew threshold (cpu.skew_threshold).
struct CostopChainInput {
  int vcpus = 2;              ///< busy vCPUs, all alike (>= 2; more than 8 count as 8)
  double wake_rate = 0.0;     ///< idle -> runnable, per idle vCPU: threshold / mean think time (0: never idle)
  double finish_rate = 0.0;   ///< running -> idle, per running vCPU: threshold / mean burst (0: never idles)
  double preempt_rate = 0.0;  ///< running -> ready, per running vCPU: threshold / cpu.quantum
  double costart = 0.0;       ///< cpu.costart_skew / cpu.skew_threshold, in [0, 1)
  double waiting = 0.0;       ///< ready + co-stop per vCPU the chain must reproduce, in (0, 1)

  bool operator==(const CostopChainInput&) const = default;
};

/// Mean fractions of a vCPU's time in each state.
struct CostopChainResult {
  double run = 0.0, ready = 0.0, costop = 0.0, wait = 0.0;
  double dispatch_rate = 0.0;  ///< ready -> running per ready vCPU that reproduces `waiting`
};

/// The chain's stationary state fractions at a given dispatch rate (ready -> running, per
/// ready vCPU, per threshold).
/// `workspace` lets successive solves of one chain shape share the sparse analysis.
[[nodiscard]] CostopChainResult costop_chain_at(const CostopChainInput& in, double dispatch_rate,
                                               sim::CtmcWorkspace* workspace = nullptr);

/// Where the search for one chain's dispatch rate ended: log2 of the rate and the slope of
/// the chain's waiting against it there. A nearby chain's starts the search of another.
struct CostopChainHint {
  double log_rate = 0.0;
  double slope = 0.0;  ///< d(ready + co-stop) / d log2(rate), negative; 0: unknown
};

/// The chain whose dispatch rate gives ready + co-stop = in.waiting, to 1e-12 of waiting
/// or 1e-9 of an octave of the rate (waiting falls as dispatch quickens: a safeguarded
/// secant search on the log of the rate, in [2^-16, 2^16] per threshold). `hint`, a nearby
/// chain's answer, only shortens the search; `found` receives this one's. A waiting the
/// chain cannot reach (more than its idle vCPUs leave) is met as closely as it can.
[[nodiscard]] CostopChainResult solve_costop_chain(const CostopChainInput& in,
                                                   const CostopChainHint* hint = nullptr,
                                                   CostopChainHint* found = nullptr);

/// Co-stop share of waiting, co-stop / (ready + co-stop), of solve_costop_chain, cached
/// by its inputs rounded to a grid (1/32 of waiting, a quarter of an octave of each
/// rate) and solved at the rounded inputs, so a share never depends on which VM asked
/// first. A new grid point's search starts from the nearest solved one's dispatch rate.
/// Safe to share between threads (runs of a sweep).
class CostopChainCache {
 public:
  [[nodiscard]] double costop_share(const CostopChainInput& in);
  [[nodiscard]] std::size_t size() const;
  /// Chains solved so far (cache misses).
  [[nodiscard]] std::uint64_t solves() const;

 private:
  using Key = std::tuple<int, int, int, int, int, int>;
  struct Entry {
    double share = 0.0;
    CostopChainHint hint;
  };
  mutable std::mutex mutex_;
  std::map<Key, Entry> cache_;
  std::uint64_t solves_ = 0;
};

/// The cache of a fluid host built without one of its own (tests, benchmarks). A run's CPU
/// area keeps its own: VMs of one profile on a thousand hosts solve once.
[[nodiscard]] CostopChainCache& shared_costop_chain_cache();

}  // namespace vdc::models::cpu
