#include "vdc/report/summary.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "vdc/models/metric_names.hpp"

namespace vdc::report {
namespace {

namespace metric = models::metric;

/// Reads one entity's metrics; a metric the models did not publish reads as zero.
class EntityMetrics {
 public:
  EntityMetrics(const sim::MetricsRegistry& registry, std::string entity)
      : registry_(registry), entity_(std::move(entity)) {}

  [[nodiscard]] double average(std::string_view name) const {
    const auto id = registry_.find(entity_, name);
    return id ? registry_.average(*id) : 0.0;
  }
  [[nodiscard]] double max(std::string_view name) const {
    const auto id = registry_.find(entity_, name);
    return id ? registry_.max(*id) : 0.0;
  }

 private:
  const sim::MetricsRegistry& registry_;
  std::string entity_;
};

const char* fidelity_name(models::Fidelity f) {
  return f == models::Fidelity::detailed ? "detailed" : "fluid";
}

HostSummary summarize_host(const models::HostFacts& facts, const sim::MetricsRegistry& registry) {
  const EntityMetrics m(registry, metric::host_entity(facts.name));
  HostSummary h;
  h.name = facts.name;
  h.cluster = facts.cluster;
  h.cpu.pcpus = facts.pcpus;
  h.cpu.lcpus = facts.lcpus;
  h.cpu.capacity_mhz = facts.capacity_mhz;
  h.cpu.used_mhz_avg = m.average(metric::host_cpu_used_mhz);
  h.cpu.demand_mhz_avg = m.average(metric::host_cpu_demand_mhz);
  h.cpu.util_pct_avg = facts.capacity_mhz > 0 ? 100.0 * h.cpu.used_mhz_avg / facts.capacity_mhz : 0.0;
  // A run without the CPU area leaves the granted capacity unset: the cores' then.
  h.cpu.granted_capacity_mhz = facts.granted_capacity_mhz > 0 ? facts.granted_capacity_mhz : facts.capacity_mhz;
  h.cpu.usage_pct_avg =
      h.cpu.granted_capacity_mhz > 0 ? 100.0 * h.cpu.used_mhz_avg / h.cpu.granted_capacity_mhz : 0.0;
  h.cpu.vcpus = facts.vcpus;
  h.cpu.vcpu_per_pcpu = facts.pcpus > 0 ? static_cast<double>(facts.vcpus) / facts.pcpus : 0.0;

  h.memory.capacity_mib = facts.memory_mib;
  h.memory.min_free_mib = facts.min_free_mib;
  constexpr std::array<std::string_view, 5> state_metrics = {
      metric::host_mem_state_high, metric::host_mem_state_clear, metric::host_mem_state_soft,
      metric::host_mem_state_hard, metric::host_mem_state_low};
  for (std::size_t i = 0; i < state_metrics.size(); ++i) {
    h.memory.state_time_pct[i] = 100.0 * m.average(state_metrics[i]);
  }
  h.memory.granted_mib_avg = m.average(metric::host_mem_granted_mib);
  h.memory.consumed_mib_avg = m.average(metric::host_mem_consumed_mib);
  h.memory.shared_saved_mib_avg = m.average(metric::host_mem_shared_saved_mib);
  h.memory.balloon_mib_avg = m.average(metric::host_mem_balloon_mib);
  h.memory.compressed_mib_avg = m.average(metric::host_mem_compressed_mib);
  h.memory.swapped_mib_avg = m.average(metric::host_mem_swapped_mib);
  return h;
}

VmSummary summarize_vm(const models::VmFacts& facts, const sim::MetricsRegistry& registry,
                       double window_s) {
  const EntityMetrics m(registry, metric::vm_entity(facts.name));
  VmSummary v;
  v.name = facts.name;
  v.host = facts.host;
  v.cluster = facts.cluster;
  v.vcpus = facts.vcpus;
  v.memory_mib = facts.memory_mib;
  v.powered_on = facts.powered_on;
  v.admission = facts.admission;

  v.cpu.demand_mhz_avg = m.average(metric::vm_cpu_demand_mhz);
  v.cpu.used_mhz_avg = m.average(metric::vm_cpu_used_mhz);
  v.cpu.entitlement_mhz_avg = m.average(metric::vm_cpu_entitlement_mhz);
  // The state gauges hold the fraction of vCPUs in each state; a VM that is off for part of
  // the run spends that part in wait, so the four still sum to 100.
  v.cpu.run_pct = 100.0 * m.average(metric::vm_cpu_run);
  v.cpu.ready_pct = 100.0 * m.average(metric::vm_cpu_ready);
  v.cpu.costop_pct = 100.0 * m.average(metric::vm_cpu_costop);
  v.cpu.wait_pct = 100.0 - v.cpu.run_pct - v.cpu.ready_pct - v.cpu.costop_pct;
  const double vcpu_ms = facts.vcpus * window_s * 1000.0;
  v.cpu.ready_ms = v.cpu.ready_pct / 100.0 * vcpu_ms;
  v.cpu.costop_ms = v.cpu.costop_pct / 100.0 * vcpu_ms;

  v.memory.granted_mib_avg = m.average(metric::vm_mem_granted_mib);
  v.memory.active_mib_avg = m.average(metric::vm_mem_active_mib);
  v.memory.shared_mib_avg = m.average(metric::vm_mem_shared_mib);
  v.memory.balloon_mib_avg = m.average(metric::vm_mem_balloon_mib);
  v.memory.compressed_mib_avg = m.average(metric::vm_mem_compressed_mib);
  v.memory.swapped_mib_avg = m.average(metric::vm_mem_swapped_mib);
  v.memory.balloon_mib_max = m.max(metric::vm_mem_balloon_mib);
  v.memory.swapped_mib_max = m.max(metric::vm_mem_swapped_mib);
  return v;
}

bool keeps_series(const sim::MetricsRegistry& m, const std::string& entity, std::string_view gauge) {
  const auto id = m.find(entity, gauge);
  return id && !m.series(*id).empty();
}

/// Says when vms_timeseries.csv lacks VMs or columns the user may expect there.
void add_series_warnings(const models::RunResult& run, const SeriesSettings& series, std::vector<RunWarning>& out) {
  if (run.vms.empty()) return;
  if (series.rule == SeriesSettings::Rule::top) {
    std::size_t missing = 0;
    for (const auto& name : series.vms) {
      if (!keeps_series(run.metrics, metric::vm_entity(name), metric::vm_cpu_ready)) ++missing;
    }
    if (missing > 0) {
      out.push_back({"vm_series_partial",
                     fmt::format("{} of the {} VMs chosen by --series {} kept no per-interval series (the run that "
                                 "records them was interrupted): vms_timeseries.csv has no rows for them.",
                                 missing, series.vms.size(), series.top)});
    }
    return;
  }
  if (series.rule != SeriesSettings::Rule::budget) return;
  // A gauge no area published (a run without the memory area, say) is not missing.
  std::size_t cpu = 0, memory = 0, cpu_missing = 0, memory_missing = 0;
  for (const auto& v : run.vms) {
    const std::string entity = metric::vm_entity(v.name);
    if (run.metrics.find(entity, metric::vm_cpu_ready)) {
      ++(keeps_series(run.metrics, entity, metric::vm_cpu_ready) ? cpu : cpu_missing);
    }
    if (run.metrics.find(entity, metric::vm_mem_granted_mib)) {
      ++(keeps_series(run.metrics, entity, metric::vm_mem_granted_mib) ? memory : memory_missing);
    }
  }
  const std::size_t n = run.vms.size();
  if (cpu_missing == 0 && memory_missing == 0) return;
  const std::string budget = fmt::format("{} MiB", series.budget_bytes >> 20);
  const std::string choose =
      "`vdcsim run --series N` keeps the series of the N VMs with the most ready, co-stop and memory reclamation, "
      "`--series all` every VM's.";
  if (cpu == 0 && memory == 0) {
    out.push_back({"vm_series_dropped",
                   fmt::format("The series budget ({}) kept no per-interval series of the {} VMs: vms_timeseries.csv "
                               "has no VM rows, and the VMs' time over thresholds comes from averages. {}",
                               budget, n, choose)});
  } else {
    out.push_back({"vm_series_dropped",
                   fmt::format("The series budget ({}) kept the {} series of the {} VMs but not their {} series: "
                               "vms_timeseries.csv has no {} columns. {}",
                               budget, cpu > 0 ? "CPU state" : "memory", n, cpu > 0 ? "memory" : "CPU state",
                               cpu > 0 ? "memory" : "CPU state", choose)});
  }
}

}  // namespace

std::vector<std::string> worst_vms_for_series(const Summary& summary, std::size_t n) {
  std::vector<std::pair<double, const VmSummary*>> scored;
  for (const auto& v : summary.vms) {
    if (v.admission) continue;
    const double reclaimed =
        v.memory.balloon_mib_avg + v.memory.compressed_mib_avg + v.memory.swapped_mib_avg;
    const double score =
        v.cpu.ready_pct + v.cpu.costop_pct + (v.memory_mib > 0 ? 100.0 * reclaimed / v.memory_mib : 0.0);
    scored.emplace_back(score, &v);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> names;
  for (std::size_t i = 0; i < scored.size() && i < n; ++i) names.push_back(scored[i].second->name);
  return names;
}

Summary summarize(const models::RunResult& run, const AnalysisSettings& settings) {
  Summary s;
  s.scenario = run.scenario;
  s.source = run.source;
  s.seed = run.seed;
  s.fidelity = fidelity_name(run.fidelity);
  s.duration_s = run.duration.seconds();
  s.warmup_s = run.warmup.seconds();
  s.sample_interval_s = run.sample_interval.seconds();
  s.partial = run.partial;
  s.events = run.events;
  s.hosts.reserve(run.hosts.size());
  for (const auto& h : run.hosts) s.hosts.push_back(summarize_host(h, run.metrics));
  s.vms.reserve(run.vms.size());
  const double window_s = (run.duration - run.warmup).seconds();
  for (const auto& v : run.vms) s.vms.push_back(summarize_vm(v, run.metrics, window_s));
  s.no_cpu_demand = !run.vms.empty() && std::all_of(run.vms.begin(), run.vms.end(), [&](const models::VmFacts& v) {
    return EntityMetrics(run.metrics, metric::vm_entity(v.name)).max(metric::vm_cpu_demand_mhz) <= 0.0;
  });
  if (s.no_cpu_demand) {
    s.warnings.push_back(
        {"no_workload",
         "No VM has a workload: every VM's CPU demand is zero (an imported inventory without usage?)."});
  }
  add_series_warnings(run, settings.series, s.warnings);
  s.capacity = analyse_capacity(run, settings.capacity);
  s.contention = analyse_contention(run, settings.contention);
  return s;
}

}  // namespace vdc::report
