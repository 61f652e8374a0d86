#pragma once
// A run of independent hosts split over engines (internal to models/): the range of hosts
// each engine simulates, the scenario of a range, and the merge of the ranges' results
// into the result of the whole run (docs/architecture.md "Independent hosts").
#include <cstddef>
#include <span>
#include <vector>

#include "vdc/models/datacenter.hpp"

namespace vdc::models {

/// The hosts [first, last) of one engine, and the VMs that name them.
struct HostRange {
  std::size_t first = 0;
  std::size_t last = 0;
  std::vector<VmId> vms;  ///< in the scenario's order
};

/// `engines` contiguous ranges, in order, covering every host of `config` (ids resolved,
/// every VM naming its host), each with at least one host, balanced by the vCPUs of the
/// VMs that name its hosts.
[[nodiscard]] std::vector<HostRange> host_ranges(const ScenarioConfig& config, int engines);

/// The scenario of `range`: its hosts and VMs, everything else as in `config`, ids
/// resolved. With `take_from` (`config` itself, which the caller gave up), the VMs are
/// moved out of it instead of copied; give_back returns them (range_config does when it
/// fails).
[[nodiscard]] ScenarioConfig range_config(const ScenarioConfig& config, const HostRange& range,
                                          ScenarioConfig* take_from = nullptr);

/// Moves the VMs of `part` (range_config of `range` with `take_from` = `config`) back into
/// `config`.
void give_back(ScenarioConfig& config, const HostRange& range, ScenarioConfig& part) noexcept;

/// `options` for the engine of each range: the series kept on request (keep_series) of
/// its own hosts and VMs; those of no host or VM go to the first.
[[nodiscard]] std::vector<RunOptions> range_options(const RunOptions& options, const ScenarioConfig& config,
                                                    std::span<const HostRange> ranges);

/// Makes `parts[0]` the result of the whole run of `vm_count` VMs from the finished
/// results of every range (parts[i] of ranges[i]): the hosts in order, the VMs in the
/// scenario's order, the metrics of each after the ones before, the events counted
/// together. The areas that split must fill no report table (std::logic_error if one did).
void merge_ranges(std::size_t vm_count, std::span<const HostRange> ranges, std::span<RunResult> parts);

}  // namespace vdc::models
