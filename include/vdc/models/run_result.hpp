#pragma once
/// What a run hands to the reports: the facts of every host and VM the driver knows, the
/// metrics registry the areas wrote into, and each area's section computed from them
/// (include/vdc/models/area_report.hpp). Reports read these and nothing else of the models.

#include <optional>
#include <string>
#include <vector>

#include "vdc/models/area_report.hpp"
#include "vdc/models/inventory.hpp"
#include "vdc/sim/metrics.hpp"

namespace vdc::models {

struct AreaSpec;

struct HostFacts {
  std::string name;
  std::string cluster;
  int pcpus = 0;
  int lcpus = 0;
  double capacity_mhz = 0.0;  ///< cores x nominal frequency
  double memory_mib = 0.0;
  int vcpus = 0;              ///< vCPUs of the VMs powered on here at the end of the run
};

struct VmFacts {
  std::string name;
  std::string host;            ///< where it ran last; empty if never powered on
  std::string cluster;
  int vcpus = 0;
  double memory_mib = 0.0;
  bool powered_on = false;     ///< at the end of the run
  std::optional<std::string> admission;  ///< why it was refused power-on, if it was
  double cpu_reservation_mhz = 0.0;      ///< configured CPU reservation
  double mem_reservation_mib = 0.0;      ///< configured memory reservation
};

struct RunResult {
  std::string scenario;
  std::string source;
  std::uint64_t seed = 1;
  Fidelity fidelity = Fidelity::fluid;
  sim::Time duration;          ///< simulated time covered (less than asked when partial)
  /// Start of the measured window: the metrics' averages, percentiles, peaks and totals
  /// cover [warmup, duration) (MetricsRegistry::start_window). Zero without a warm-up, or
  /// when the run stopped before its warm-up ended.
  sim::Time warmup;
  sim::Time sample_interval;
  bool partial = false;        ///< stopped before the scenario's end (interrupted)
  std::uint64_t events = 0;    ///< events processed by the engine
  std::vector<HostFacts> hosts;
  std::vector<VmFacts> vms;
  sim::MetricsRegistry metrics;
  /// The areas that ran, in the registry's order, and the section of each that has a
  /// report description (add_report_sections).
  std::vector<const AreaSpec*> areas;
  std::vector<AreaSection> sections;
  /// Tables an area filled as it finished (its entities' names, states and figures it
  /// keeps itself); add_report_sections hands each to the section whose description lists
  /// its spec (AreaReportSpec::tables), before the description's `fill`.
  std::vector<ReportTable> tables;

  [[nodiscard]] ReportView view() const { return ReportView(hosts, vms, sections); }
};

}  // namespace vdc::models
