#pragma once
/// The numbers every report format shows, computed once from a run's facts and metrics
/// (docs/report.md gives each field's meaning; docs/scenario.md's report.json contract).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vdc/models/run_result.hpp"
#include "vdc/report/analysis.hpp"

namespace vdc::report {

/// Host memory states in order of growing pressure (reference B.2).
inline constexpr std::array<const char*, 5> kMemoryStates = {"high", "clear", "soft", "hard", "low"};

struct HostCpuSummary {
  int pcpus = 0;
  int lcpus = 0;
  double capacity_mhz = 0.0;    ///< cores x nominal frequency
  /// What the CPU model grants with every logical CPU busy: capacity x the hyperthreading
  /// gain when the cores have threads (HostFacts::granted_capacity_mhz).
  double granted_capacity_mhz = 0.0;
  double used_mhz_avg = 0.0;
  double demand_mhz_avg = 0.0;
  /// used / capacity (cores only), percent: above 100 when hyperthreads add throughput.
  double util_pct_avg = 0.0;
  /// used / granted capacity, percent, at most 100: what vCenter shows as host CPU usage.
  double usage_pct_avg = 0.0;
  int vcpus = 0;
  double vcpu_per_pcpu = 0.0;   ///< overcommit ratio vCPU:pCPU
};

struct HostMemorySummary {
  double capacity_mib = 0.0;
  double min_free_mib = 0.0;
  std::array<double, 5> state_time_pct{};  ///< percent of the run in each of kMemoryStates
  double granted_mib_avg = 0.0;
  double consumed_mib_avg = 0.0;
  double shared_saved_mib_avg = 0.0;
  double balloon_mib_avg = 0.0;
  double compressed_mib_avg = 0.0;
  double swapped_mib_avg = 0.0;
};

struct HostSummary {
  std::string name;
  std::string cluster;
  HostCpuSummary cpu;
  HostMemorySummary memory;
};

struct VmCpuSummary {
  double demand_mhz_avg = 0.0;
  double used_mhz_avg = 0.0;
  double entitlement_mhz_avg = 0.0;
  double run_pct = 0.0;     ///< per vCPU, percent of the run; the four sum to 100
  double ready_pct = 0.0;
  double costop_pct = 0.0;
  double wait_pct = 0.0;
  double ready_ms = 0.0;    ///< summed over vCPUs (vCenter's "CPU Ready" summation)
  double costop_ms = 0.0;
};

struct VmMemorySummary {
  double granted_mib_avg = 0.0;
  double active_mib_avg = 0.0;
  double shared_mib_avg = 0.0;
  double balloon_mib_avg = 0.0;
  double compressed_mib_avg = 0.0;
  double swapped_mib_avg = 0.0;
  double balloon_mib_max = 0.0;
  double swapped_mib_max = 0.0;
};

struct VmSummary {
  std::string name;
  std::string host;
  std::string cluster;
  int vcpus = 0;
  double memory_mib = 0.0;
  bool powered_on = false;
  std::optional<std::string> admission;
  VmCpuSummary cpu;
  VmMemorySummary memory;
};

/// Something about the run a reader must know before trusting its numbers.
struct RunWarning {
  std::string code;     ///< stable identifier: no_workload, vm_series_dropped, vm_series_partial
  std::string message;  ///< one sentence for people
};

struct Summary {
  std::string scenario;
  std::string source;
  std::uint64_t seed = 1;
  std::string fidelity;
  double duration_s = 0.0;
  double warmup_s = 0.0;        ///< left out of every figure: they cover [warmup_s, duration_s)
  double sample_interval_s = 0.0;
  bool partial = false;
  std::uint64_t events = 0;
  /// True when no VM demanded any CPU over the reported time (no workload: an imported
  /// inventory without usage, say); ready and co-stop are then not modelled.
  bool no_cpu_demand = false;
  std::vector<RunWarning> warnings;
  std::vector<HostSummary> hosts;
  std::vector<VmSummary> vms;
  CapacityReport capacity;
  ContentionReport contention;
};

/// What the run was asked to keep of the VMs' interval series (`vdcsim run --series`), for
/// the warnings that say what vms_timeseries.csv holds.
struct SeriesSettings {
  enum class Rule { budget, all, top };
  Rule rule = Rule::budget;           ///< budget: RunOptions' default rule; all; top: --series N
  std::size_t top = 0;                ///< N of `--series N`
  std::size_t budget_bytes = std::size_t{256} << 20;  ///< RunOptions::series_budget_bytes
  std::vector<std::string> vms;       ///< top: the VMs chosen (worst_vms_for_series)
};

/// The settings of the analyses a summary carries.
struct AnalysisSettings {
  CapacitySettings capacity;
  ContentionSettings contention;
  SeriesSettings series;
};

/// The `n` VMs that ran with the most contention: per-vCPU ready + co-stop percent plus
/// memory reclaimed (balloon + compressed + swapped) in percent of the VM's memory, worst
/// first, ties in scenario order; VMs refused power-on are left out.
[[nodiscard]] std::vector<std::string> worst_vms_for_series(const Summary& summary, std::size_t n);

/// Computes the summary of a finished run (its metrics must have been finished), with its
/// capacity and contention analyses.
[[nodiscard]] Summary summarize(const models::RunResult& run, const AnalysisSettings& settings = {});

/// The version written into every report.
[[nodiscard]] const char* version();

}  // namespace vdc::report
