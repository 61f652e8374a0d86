#pragma once
/// The import's own check (docs/traces.md "The check"): the scenario an RVTools import
/// wrote, loaded back through the scenario loader and simulated over the hour after its
/// warm-up, against the export's vHost figures, per cluster.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "vdc/import/rvtools.hpp"
#include "vdc/models/run_result.hpp"

namespace vdc::cli {

/// One cluster's utilisation, percent of its capacity (cores x speed; host memory).
struct ClusterCheck {
  std::string cluster;                 ///< "" for standalone hosts
  std::optional<double> vhost_cpu_pct;  ///< vHost: used / capacity; empty without the figures
  std::optional<double> vhost_mem_pct;
  double seeded_cpu_pct = 0.0;         ///< what the written workloads ask for in the window
  double mean_cpu_pct = 0.0;           ///< the same with each diurnal workload at its mean
  double seeded_mem_pct = 0.0;         ///< touched + overhead of the written workloads
  double sim_cpu_pct = 0.0;            ///< host CPU used, averaged over the window
  double sim_mem_pct = 0.0;            ///< host memory consumed, averaged over the window
  std::optional<int> vhost_vms;        ///< vHost's powered-on VM count
  int vms_on = 0;                      ///< the scenario's powered-on VMs
  int placed_on = 0;                   ///< of which placed by the placement rule
  int standins = 0;                    ///< stand-ins for VMs vInfo does not list
  int standing_for = 0;                ///< how many VMs they carry
};

/// The check's result.
struct ImportCheck {
  sim::Time from;  ///< start of the measured window (the warm-up)
  sim::Time to;    ///< its end (the run's end)
  std::vector<ClusterCheck> clusters;
};

/// Compares a run of the written scenario (`config`, `run`) with the import's vHost figures.
[[nodiscard]] ImportCheck compare_with_vhost(const import::ImportResult& result,
                                             const models::ScenarioConfig& config,
                                             const models::RunResult& run);

/// The check as text: a table per cluster and the reasons for large differences.
[[nodiscard]] std::string format_import_check(const ImportCheck& check);

/// Loads `scenario_path` back, runs it quietly and prints the check to `out`. Returns 0, or
/// 1 with the reason on `err` when the written scenario does not load or run.
int check_import(const import::ImportResult& result, const std::string& scenario_path,
                 std::ostream& out, std::ostream& err);

}  // namespace vdc::cli
