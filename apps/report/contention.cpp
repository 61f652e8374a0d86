#include <algorithm>
#include <string_view>

#include "series_stats.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/report/analysis.hpp"

namespace vdc::report {
namespace {

namespace metric = models::metric;

struct Check {
  std::string_view gauge;
  std::string_view label;
  double scale;      // gauge value x scale = the reported unit
  double threshold;
};

void check(const sim::MetricsRegistry& m, const std::string& entity, const Check& c, Offender base,
           std::vector<Offender>& out) {
  const auto id = m.find(entity, c.gauge);
  if (!id) return;
  const double over = time_over(m, *id, c.scale, c.threshold);
  if (over <= 0.0) return;
  base.metric = std::string(c.label);
  base.average = c.scale * m.average(*id);
  const auto series = m.window_series(*id);
  base.peak = series.empty() ? c.scale * m.max(*id) : c.scale * *std::max_element(series.begin(), series.end());
  base.threshold = c.threshold;
  base.time_over_s = over;
  out.push_back(std::move(base));
}

}  // namespace

ContentionReport analyse_contention(const models::RunResult& run, const ContentionSettings& s) {
  ContentionReport rep;
  rep.settings = s;
  const auto& m = run.metrics;
  // The cpu state gauges hold fractions of the VM's vCPUs: x100 gives per-vCPU percent.
  const Check vm_checks[] = {{metric::vm_cpu_ready, "ready_pct", 100.0, s.ready_pct},
                             {metric::vm_cpu_costop, "costop_pct", 100.0, s.costop_pct},
                             {metric::vm_mem_balloon_mib, "balloon_mib", 1.0, s.balloon_mib},
                             {metric::vm_mem_compressed_mib, "compressed_mib", 1.0, s.compressed_mib},
                             {metric::vm_mem_swapped_mib, "swapped_mib", 1.0, s.swapped_mib}};
  for (const auto& v : run.vms) {
    if (v.host.empty()) continue;
    const auto entity = metric::vm_entity(v.name);
    for (const auto& c : vm_checks) check(m, entity, c, Offender{"vm", v.name, v.host, {}, 0, 0, 0, 0}, rep.offenders);
  }
  for (const auto& h : run.hosts) {
    const auto entity = metric::host_entity(h.name);
    // Utilisation of the capacity the CPU model grants (hyperthreads included), at most 100%.
    const double capacity = h.granted_capacity_mhz > 0 ? h.granted_capacity_mhz : h.capacity_mhz;
    if (capacity > 0) {
      check(m, entity, {metric::host_cpu_used_mhz, "cpu_util_pct", 100.0 / capacity, s.host_cpu_util_pct},
            Offender{"host", h.name, h.name, {}, 0, 0, 0, 0}, rep.offenders);
    }
    // Soft or worse: the host is reclaiming memory by ballooning, compression or swapping.
    for (auto gauge : {metric::host_mem_state_soft, metric::host_mem_state_hard, metric::host_mem_state_low}) {
      check(m, entity, {gauge, std::string_view(gauge).substr(4), 100.0, 0.0},
            Offender{"host", h.name, h.name, {}, 0, 0, 0, 0}, rep.offenders);
    }
  }
  std::stable_sort(rep.offenders.begin(), rep.offenders.end(), [](const Offender& a, const Offender& b) {
    if (a.time_over_s != b.time_over_s) return a.time_over_s > b.time_over_s;
    return a.average > b.average;
  });
  return rep;
}

}  // namespace vdc::report
