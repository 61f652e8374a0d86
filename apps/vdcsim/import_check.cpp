#include "import_check.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <variant>

#include <fmt/format.h>

#include "vdc/models/datacenter.hpp"
#include "vdc/models/memory/memory_rules.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/scenario/loader.hpp"

namespace vdc::cli {
namespace {

namespace metric = models::metric;

/// Time-weighted average of a gauge over [from, end of run], from its interval series
/// (interval i covers [i x interval, (i + 1) x interval)); the whole run's average when the
/// gauge kept no series.
double window_average(const sim::MetricsRegistry& m, sim::MetricId id, sim::Time from) {
  const std::span<const double> series = m.series(id);
  const std::int64_t step = m.sample_interval().ns();
  const std::int64_t end = m.end().ns();
  if (series.empty() || from.ns() <= 0 || from.ns() >= end) return m.average(id);
  double integral = 0.0;
  double span = 0.0;
  for (std::size_t i = static_cast<std::size_t>(from.ns() / step); i < series.size(); ++i) {
    const std::int64_t start = std::max(static_cast<std::int64_t>(i) * step, from.ns());
    const std::int64_t stop = std::min(static_cast<std::int64_t>(i + 1) * step, end);
    if (stop <= start) continue;
    integral += series[i] * static_cast<double>(stop - start);
    span += static_cast<double>(stop - start);
  }
  return span > 0.0 ? integral / span : 0.0;
}

/// Average demand per vCPU of a CPU workload over [from, to), as the workload generator
/// computes it (diurnal: the level of each step, clamped to [0, 1]); 0 for other kinds.
double average_demand(const models::CpuWorkload& w, sim::Time from, sim::Time to) {
  if (const auto* c = std::get_if<models::ConstantCpu>(&w)) return std::clamp(c->demand, 0.0, 1.0);
  const auto* d = std::get_if<models::DiurnalCpu>(&w);
  if (d == nullptr || to <= from) return 0.0;
  constexpr std::int64_t day = 86'400'000'000'000;
  const std::int64_t step = d->step.ns();
  double sum = 0.0;
  for (std::int64_t k = from.ns() / step; k * step < to.ns(); ++k) {
    const std::int64_t start = std::max(k * step, from.ns());
    const std::int64_t stop = std::min((k + 1) * step, to.ns());
    const std::int64_t phase_ns = (((k * step - d->peak.ns()) % day) + day) % day;
    const double level = d->mean + d->amplitude * std::cos(2.0 * std::numbers::pi *
                                                           static_cast<double>(phase_ns) /
                                                           static_cast<double>(day));
    sum += std::clamp(level, 0.0, 1.0) * static_cast<double>(stop - start);
  }
  return sum / static_cast<double>(to.ns() - from.ns());
}

std::string pct(const std::optional<double>& v) {
  return v ? fmt::format("{:.1f}%", *v) : std::string("-");
}

std::string diff(const std::optional<double>& vhost, double sim) {
  return vhost ? fmt::format("{:+.1f}", sim - *vhost) : std::string("-");
}

}  // namespace

ImportCheck compare_with_vhost(const import::ImportResult& result,
                               const models::ScenarioConfig& config,
                               const models::RunResult& run) {
  ImportCheck check;
  check.from = config.warmup;
  check.to = run.duration;
  std::map<std::string, std::size_t> index;
  std::vector<double> capacity_mhz;
  std::vector<double> memory_mib;
  std::vector<double> seeded_mhz;
  std::vector<double> seeded_mib;
  std::vector<double> used_mhz;
  std::vector<double> consumed_mib;
  std::vector<double> mean_mhz;
  const auto cluster_of = [&](const std::string& name) -> std::size_t {
    const auto [it, fresh] = index.emplace(name, check.clusters.size());
    if (fresh) {
      ClusterCheck c;
      c.cluster = name;
      check.clusters.push_back(c);
      for (auto* v : {&capacity_mhz, &memory_mib, &seeded_mhz, &seeded_mib, &used_mhz,
                      &consumed_mib, &mean_mhz})
        v->push_back(0.0);
    }
    return it->second;
  };
  for (const import::ClusterUsage& u : result.usage) (void)cluster_of(u.cluster);
  std::map<std::string, const models::HostConfig*> host_by_name;
  for (const models::HostConfig& h : config.hosts) host_by_name[h.name] = &h;
  for (const models::HostFacts& h : run.hosts) {
    const std::size_t c = cluster_of(h.cluster);
    capacity_mhz[c] += h.capacity_mhz;
    memory_mib[c] += h.memory_mib;
    const std::string entity = metric::host_entity(h.name);
    if (const auto id = run.metrics.find(entity, metric::host_cpu_used_mhz))
      used_mhz[c] += window_average(run.metrics, *id, check.from);
    if (const auto id = run.metrics.find(entity, metric::host_mem_consumed_mib))
      consumed_mib[c] += window_average(run.metrics, *id, check.from);
  }
  const std::vector<double> stretch = import::numa_stretch(config);
  for (std::size_t i = 0; i < config.vms.size(); ++i) {
    const models::VmConfig& vm = config.vms[i];
    if (!vm.powered_on) continue;
    const auto host = host_by_name.find(vm.host);
    if (host == host_by_name.end()) continue;
    const std::size_t c = cluster_of(host->second->cluster);
    const double mhz = vm.vcpus * host->second->cpu.frequency_mhz * stretch[i];
    seeded_mhz[c] += average_demand(vm.cpu_workload, check.from, check.to) * mhz;
    const auto* d = std::get_if<models::DiurnalCpu>(&vm.cpu_workload);
    mean_mhz[c] += (d != nullptr ? d->mean : average_demand(vm.cpu_workload, check.from, check.to)) * mhz;
    seeded_mib[c] += vm.mem_workload.touched * vm.memory_mib +
                     models::memory::overhead_mib(vm.memory_mib, vm.vcpus);
  }
  for (std::size_t c = 0; c < check.clusters.size(); ++c) {
    ClusterCheck& out = check.clusters[c];
    const auto share = [](double part, double whole) {
      return whole > 0.0 ? 100.0 * part / whole : 0.0;
    };
    out.seeded_cpu_pct = share(seeded_mhz[c], capacity_mhz[c]);
    out.mean_cpu_pct = share(mean_mhz[c], capacity_mhz[c]);
    out.seeded_mem_pct = share(seeded_mib[c], memory_mib[c]);
    out.sim_cpu_pct = share(used_mhz[c], capacity_mhz[c]);
    out.sim_mem_pct = share(consumed_mib[c], memory_mib[c]);
    const auto u = std::find_if(result.usage.begin(), result.usage.end(),
                                [&](const import::ClusterUsage& x) { return x.cluster == out.cluster; });
    if (u != result.usage.end()) {
      if (u->vhost_cpu_mhz) out.vhost_cpu_pct = share(*u->vhost_cpu_mhz, u->capacity_mhz);
      if (u->vhost_memory_mib) out.vhost_mem_pct = share(*u->vhost_memory_mib, u->memory_mib);
      out.vhost_vms = u->vhost_vms;
      out.vms_on = u->vms_on;
      out.placed_on = u->placed_on;
      out.standins = u->standins;
      out.standing_for = u->standing_for;
    }
  }
  return check;
}

std::string format_import_check(const ImportCheck& check) {
  constexpr double tolerance = 10.0;
  std::string out = fmt::format(
      "\nCheck: the written scenario loaded back and simulated from {} (after the warm-up) to "
      "{},\n"
      "against the export's vHost figures. Per cluster, used / capacity (CPU: cores x speed; "
      "memory:\n"
      "host memory consumed); seeded = what the written workloads ask for; diff = simulated - "
      "vHost,\n"
      "in percentage points.\n",
      sim::to_string(check.from), sim::to_string(check.to));
  out += fmt::format("  {:<16} {:>9} {:>8} {:>9} {:>6}   {:>9} {:>8} {:>9} {:>6}\n", "cluster",
                     "CPU vHost", "seeded", "simulated", "diff", "mem vHost", "seeded",
                     "simulated", "diff");
  std::vector<std::string> notes;
  for (const ClusterCheck& c : check.clusters) {
    const std::string name = c.cluster.empty() ? std::string("(standalone)") : c.cluster;
    out += fmt::format("  {:<16} {:>9} {:>7.1f}% {:>8.1f}% {:>6}   {:>9} {:>6.1f}% {:>8.1f}% {:>6}\n",
                       name, pct(c.vhost_cpu_pct), c.seeded_cpu_pct, c.sim_cpu_pct,
                       diff(c.vhost_cpu_pct, c.sim_cpu_pct), pct(c.vhost_mem_pct),
                       c.seeded_mem_pct, c.sim_mem_pct, diff(c.vhost_mem_pct, c.sim_mem_pct));
    if (c.vhost_vms && *c.vhost_vms != c.vms_on) {
      notes.push_back(fmt::format(
          "{}: vHost counts {} powered-on VMs on its hosts, the scenario runs {}{}", name,
          *c.vhost_vms, c.vms_on,
          (c.placed_on > 0 ? fmt::format(" ({} placed there from hosts vHost does not list)",
                                         c.placed_on)
                           : std::string{}) +
              (c.standins > 0 ? fmt::format(", and {} stand-in VM{} for the {} vInfo does not list", c.standins,
                                            c.standins == 1 ? "" : "s", c.standing_for)
                              : std::string{})));
    }
    const auto explain = [&](const char* what, const std::optional<double>& vhost, double seeded,
                             double simulated, double mean) {
      if (!vhost || std::abs(simulated - *vhost) <= tolerance) return;
      std::string why;
      if (std::abs(simulated - seeded) > tolerance) {
        why = "the simulation departs from the seeded workloads (contention or reclamation)";
      } else if (std::abs(mean - seeded) > 0.05 && std::abs(mean - *vhost) <= tolerance) {
        why = fmt::format(
            "by design of the diurnal shape: this window asks for {:.1f}% where the daily mean "
            "is {:.1f}%",
            seeded, mean);
      } else {
        why = "the seeded workloads follow the export, whose VMs do not account for the usage "
              "vHost measured";
      }
      notes.push_back(fmt::format("{}: {} more than {:.0f} points from vHost: {}", name, what,
                                  tolerance, why));
    };
    explain("CPU", c.vhost_cpu_pct, c.seeded_cpu_pct, c.sim_cpu_pct, c.mean_cpu_pct);
    explain("memory", c.vhost_mem_pct, c.seeded_mem_pct, c.sim_mem_pct, c.seeded_mem_pct);
    if (!c.vhost_cpu_pct && !c.vhost_mem_pct) {
      notes.push_back(fmt::format("{}: vHost has no usage figures to compare with", name));
    }
  }
  for (const std::string& n : notes) out += fmt::format("  - {}\n", n);
  return out;
}

int check_import(const import::ImportResult& result, const std::string& scenario_path,
                 std::ostream& out, std::ostream& err) {
  const scenario::LoadResult loaded = scenario::load_file(scenario_path);
  if (!loaded.ok()) {
    err << "error: the check could not load the written scenario back:\n";
    for (const auto& d : loaded.diagnostics) err << d.message << '\n';
    return 1;
  }
  models::RunResult run;
  try {
    run = models::run_scenario(*loaded.config);
  } catch (const std::exception& e) {
    err << "error: the check could not run the written scenario: " << e.what() << '\n';
    return 1;
  }
  out << format_import_check(compare_with_vhost(result, *loaded.config, run));
  return 0;
}

}  // namespace vdc::cli
