#pragma once
/// Capacity and contention analysis of a finished run (docs/report.md, "capacity" and
/// "contention"). Capacity headroom is an analytic estimate from the run's demand
/// percentiles, not a simulated result; contention is read from the simulated series.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vdc/models/run_result.hpp"

namespace vdc::report {

/// The thresholds of the capacity analysis, each a named setting with a documented default.
struct CapacitySettings {
  /// Per-vCPU CPU ready at p95 a reference VM may reach (reference A.3: 5% is "significant").
  double ready_p95_max_pct = 5.0;
  /// Host CPU utilisation (demand p95 / capacity) not to exceed.
  double cpu_util_max_pct = 80.0;
  /// Host memory must stay above the soft state: free >= this percent of minFree
  /// (reference B.2: soft below 64% of minFree).
  double mem_soft_pct_of_min_free = 64.0;
  /// Host memory consumption (p95 / capacity) not to exceed.
  double mem_util_max_pct = 100.0;
  /// VM whose measured demand is the unit of headroom; empty: the average powered-on VM.
  std::string reference_vm;
};

/// Average and order statistics of one quantity over the run's sample intervals.
struct Spread {
  double avg = 0.0, p50 = 0.0, p95 = 0.0, p99 = 0.0, max = 0.0;
};

/// The unit of headroom: what one more VM like this would demand.
struct ReferenceVm {
  std::string name;           ///< a VM's name, or "average VM"
  int vcpus = 0;
  double cpu_demand_mhz_p95 = 0.0;
  double memory_mib = 0.0;    ///< granted memory, p95
};

/// Headroom under one threshold: how many more reference VMs fit before it is crossed.
struct Headroom {
  /// The count; empty when the threshold is not reached within what was searched (it
  /// never binds, or not before another threshold does): `note` says which.
  std::optional<int> vms;
  /// Why `vms` is empty ("never binds within 100000 VMs", ...); for a cluster whose sum
  /// left some hosts out, which ones. Empty otherwise.
  std::string note;
  /// Clusters: hosts where it is not reached, left out of the sum.
  int hosts_not_reached = 0;
};

/// Capacity of one host, or of a cluster (sums of its hosts).
struct CapacityEntry {
  std::string name;
  std::string cluster;
  int hosts = 1;
  double cpu_capacity_mhz = 0.0;
  double cpu_reserved_mhz = 0.0;
  double mem_capacity_mib = 0.0;
  double mem_reserved_mib = 0.0;
  int pcpus = 0;
  int lcpus = 0;
  int vcpus = 0;
  double vcpu_per_pcpu = 0.0;
  double vram_mib = 0.0;
  double vram_per_pram = 0.0;
  Spread cpu_demand_mhz;
  double cpu_used_mhz_avg = 0.0;
  Spread mem_consumed_mib;
  /// More reference VMs that fit under each threshold, and the least of them (empty when
  /// no threshold is reached). A cluster's are the sums over its hosts where it is reached.
  Headroom headroom_cpu_util;
  Headroom headroom_cpu_ready;
  Headroom headroom_mem_state;
  Headroom headroom_mem_util;
  Headroom headroom_vms;
  /// The threshold that binds first: cpu_util, cpu_ready, mem_state, mem_util, or none
  /// (a cluster: the one that binds first on most of its hosts).
  std::string binding;
};

struct CapacityReport {
  CapacitySettings settings;
  double warmup_s = 0.0;      ///< the warm-up left out of the percentiles (0: none)
  double window_s = 0.0;      ///< the simulated seconds they cover
  ReferenceVm reference;
  std::string method;         ///< one paragraph: how headroom was computed
  std::vector<CapacityEntry> clusters;  ///< one per cluster, or one "site" entry without clusters
  std::vector<CapacityEntry> hosts;
};

/// Computes the capacity report. Throws std::invalid_argument if settings.reference_vm
/// names no VM of the run.
[[nodiscard]] CapacityReport analyse_capacity(const models::RunResult& run, const CapacitySettings& settings);

/// The contention analysis' settings: each area declares its checks and their thresholds
/// (AreaReportSpec::contention; reference A.3 bands and the esxtop rules of thumb); these
/// replace a threshold by its key in report.json's `contention.thresholds`.
struct ContentionSettings {
  std::vector<std::pair<std::string, double>> thresholds;
};

/// One VM or host over one threshold.
struct Offender {
  std::string kind;        ///< "vm", "host", or an area's own entity ("datastore")
  std::string name;
  std::string host;        ///< the VM's host (for hosts: itself; empty for an area's own entity)
  std::string metric;      ///< the check's label (ContentionCheck::label): ready_pct, costop_pct, balloon_mib,
                           ///< compressed_mib, swapped_mib, cpu_util_pct, or state.soft / state.hard / state.low
                           ///< (percent of the interval in that host memory state)
  double average = 0.0;    ///< over the run
  double peak = 0.0;       ///< the worst sample interval
  double threshold = 0.0;
  double time_over_s = 0.0;  ///< simulated seconds in sample intervals over the threshold
};

struct ContentionReport {
  /// The thresholds in force by key (`contention.thresholds`): the VMs' checks of every
  /// area, then the hosts', in the areas' order.
  std::vector<std::pair<std::string, double>> thresholds;
  std::vector<Offender> offenders;  ///< worst first: longest over, then highest average

  /// The threshold of `key`; nothing when no area of the run checks it.
  [[nodiscard]] std::optional<double> threshold(std::string_view key) const {
    for (const auto& [k, v] : thresholds) {
      if (k == key) return v;
    }
    return std::nullopt;
  }
};

[[nodiscard]] ContentionReport analyse_contention(const models::RunResult& run, const ContentionSettings& settings);

}  // namespace vdc::report
