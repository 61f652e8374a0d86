#pragma once
/// The numbers every report format shows, computed once from a run's facts and metrics
/// (docs/report.md gives each field's meaning; docs/scenario.md's report.json contract).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vdc/models/run_result.hpp"
#include "vdc/report/analysis.hpp"

namespace vdc::report {

/// Host memory states in order of growing pressure (reference B.2).
inline constexpr std::array<const char*, 5> kMemoryStates = {"high", "clear", "soft", "hard", "low"};

/// Something about the run a reader must know before trusting its numbers (codes:
/// no_workload, vm_series_dropped, vm_series_partial, and what an area adds).
using RunWarning = models::ReportWarning;

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
  /// The areas' warnings, in their order, then those about the series the run kept.
  std::vector<RunWarning> warnings;
  std::vector<models::HostFacts> hosts;
  std::vector<models::VmFacts> vms;
  /// What each area reported of the hosts and VMs (include/vdc/models/area_report.hpp).
  std::vector<models::AreaSection> sections;
  CapacityReport capacity;
  ContentionReport contention;

  [[nodiscard]] models::ReportView view() const { return models::ReportView(hosts, vms, sections); }
  /// `area`'s value `key` of host `h` (a report.json key of its object, such as
  /// "used_mhz_avg" or "state_time_pct.high"); 0 when the area did not run.
  [[nodiscard]] double host_value(std::size_t h, std::string_view area, std::string_view key) const {
    return view().value(area, models::EntityKind::host, h, key).value_or(0.0);
  }
  /// The same for VM `v`.
  [[nodiscard]] double vm_value(std::size_t v, std::string_view area, std::string_view key) const {
    return view().value(area, models::EntityKind::vm, v, key).value_or(0.0);
  }
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

/// The `n` VMs that ran with the most contention, by the sum of the areas' scores
/// (AreaReportSpec::vm_score: per-vCPU ready + co-stop percent, memory reclaimed in percent
/// of the VM's memory), worst first, ties in scenario order; VMs refused power-on are left
/// out.
[[nodiscard]] std::vector<std::string> worst_vms_for_series(const Summary& summary, std::size_t n);

/// Computes the summary of a finished run (its metrics must have been finished), with its
/// capacity and contention analyses. Throws std::invalid_argument when an area's section
/// does not have a row for every host and VM of the run.
[[nodiscard]] Summary summarize(const models::RunResult& run, const AnalysisSettings& settings = {});

/// The version written into every report.
[[nodiscard]] const char* version();

}  // namespace vdc::report
