#include "host_ranges.hpp"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "vdc/models/metric_names.hpp"

namespace vdc::models {

// range_config moves VMs after reserving, and give_back moves them back, without throwing.
static_assert(std::is_nothrow_move_constructible_v<VmConfig> && std::is_nothrow_move_assignable_v<VmConfig>);

int engines_for(const ScenarioConfig& config, std::span<const AreaSpec* const> areas, int asked) {
  assert(config.ids_resolved);
  if (asked == 1 || config.hosts.size() < 2) return 1;
  // What the driver itself shares between hosts: clusters (placement, admission), resource
  // pools (reservations over hosts), events (a migration, a VM powered on where there is
  // room) and VMs placed by the least-loaded rule over all hosts.
  if (!config.clusters.empty() || !config.pools.empty() || !config.events.empty()) return 1;
  for (const VmConfig& vm : config.vms) {
    if (vm.host_id < 0) return 1;
  }
  for (const AreaSpec* a : areas) {
    if (a->host_local == nullptr || !a->host_local(config)) return 1;
  }
  if (asked <= 0) return config.hosts.size() >= 2 * min_hosts_per_engine ? 2 : 1;
  return static_cast<int>(std::min(config.hosts.size(), static_cast<std::size_t>(asked)));
}

std::vector<HostRange> host_ranges(const ScenarioConfig& config, int engines) {
  assert(engines >= 1 && static_cast<std::size_t>(engines) <= config.hosts.size());
  // A host weighs one plus the vCPUs of its VMs: the events and the solves follow them.
  std::vector<double> weight(config.hosts.size(), 1.0);
  for (const VmConfig& vm : config.vms) weight[static_cast<std::size_t>(vm.host_id)] += vm.vcpus;
  double total = 0.0;
  for (const double w : weight) total += w;
  const auto n = static_cast<std::size_t>(engines);
  std::vector<HostRange> ranges;
  double before = 0.0;  // weight of the hosts before `first`
  std::size_t first = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    // The range ends where the running weight comes closest to its share of the total,
    // leaving a host at least to each range after it.
    const double goal = total * static_cast<double>(i + 1) / static_cast<double>(n);
    std::size_t last = first + 1;
    double upto = before + weight[first];
    while (last < config.hosts.size() - (n - 1 - i) && upto + weight[last] / 2.0 <= goal) {
      upto += weight[last];
      ++last;
    }
    ranges.push_back(HostRange{first, last, {}});
    first = last;
    before = upto;
  }
  ranges.push_back(HostRange{first, config.hosts.size(), {}});
  for (VmId v = 0; v < config.vms.size(); ++v) {
    const auto h = static_cast<std::size_t>(config.vms[v].host_id);
    std::size_t r = 0;
    while (h >= ranges[r].last) ++r;
    ranges[r].vms.push_back(v);
  }
  return ranges;
}

ScenarioConfig range_config(const ScenarioConfig& config, const HostRange& range, ScenarioConfig* take_from) {
  assert(take_from == nullptr || take_from == &config);
  ScenarioConfig part;
  part.name = config.name;
  part.description = config.description;
  part.source = config.source;
  part.seed = config.seed;
  part.duration = config.duration;
  part.warmup = config.warmup;
  part.fidelity = config.fidelity;
  part.sample_interval = config.sample_interval;
  part.parameters = config.parameters;
  part.hosts.assign(config.hosts.begin() + static_cast<std::ptrdiff_t>(range.first),
                    config.hosts.begin() + static_cast<std::ptrdiff_t>(range.last));
  part.vms.reserve(range.vms.size());
  for (const VmId v : range.vms) {
    if (take_from != nullptr) {
      part.vms.push_back(std::move(take_from->vms[v]));  // reserved: cannot throw
    } else {
      part.vms.push_back(config.vms[v]);
    }
  }
  part.network = config.network;
  part.storage = config.storage;
  try {
    resolve_ids(part);
  } catch (...) {
    if (take_from != nullptr) give_back(*take_from, range, part);
    throw;
  }
  return part;
}

void give_back(ScenarioConfig& config, const HostRange& range, ScenarioConfig& part) noexcept {
  for (std::size_t k = 0; k < part.vms.size(); ++k) config.vms[range.vms[k]] = std::move(part.vms[k]);
  part.vms.clear();
}

std::vector<RunOptions> range_options(const RunOptions& options, const ScenarioConfig& config,
                                      std::span<const HostRange> ranges) {
  RunOptions one;
  one.stop_requested = options.stop_requested;
  one.progress_every = options.progress_every;
  one.series_budget_bytes = options.series_budget_bytes;
  one.engines = 1;
  std::vector<RunOptions> out(ranges.size(), one);
  if (options.keep_series.empty()) return out;
  // The range of each host's and VM's entity.
  std::unordered_map<std::string, std::size_t> owner;
  for (std::size_t r = 0; r < ranges.size(); ++r) {
    for (std::size_t h = ranges[r].first; h < ranges[r].last; ++h) owner.emplace(metric::host_entity(config.hosts[h].name), r);
    for (const VmId v : ranges[r].vms) owner.emplace(metric::vm_entity(config.vms[v].name), r);
  }
  for (const auto& kept : options.keep_series) {
    const auto it = owner.find(kept.first);
    out[it == owner.end() ? 0 : it->second].keep_series.push_back(kept);
  }
  return out;
}

void merge_ranges(std::size_t vm_count, std::span<const HostRange> ranges, std::span<RunResult> parts) {
  assert(!parts.empty() && parts.size() == ranges.size());
  RunResult& whole = parts[0];
  for (const RunResult& p : parts) {
    if (!p.tables.empty()) throw std::logic_error("an area of a run split by hosts filled a report table");
    assert(p.duration == whole.duration && p.warmup == whole.warmup && p.partial == whole.partial);
  }
  std::vector<VmFacts> vms(vm_count);
  for (std::size_t r = 0; r < ranges.size(); ++r) {
    assert(parts[r].vms.size() == ranges[r].vms.size());
    for (std::size_t k = 0; k < ranges[r].vms.size(); ++k) vms[ranges[r].vms[k]] = std::move(parts[r].vms[k]);
  }
  whole.vms = std::move(vms);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    RunResult& p = parts[i];
    whole.hosts.insert(whole.hosts.end(), std::make_move_iterator(p.hosts.begin()),
                       std::make_move_iterator(p.hosts.end()));
    whole.events += p.events;
    whole.metrics.absorb(std::move(p.metrics));
  }
}

}  // namespace vdc::models
