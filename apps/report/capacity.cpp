#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "vdc/sim/queueing.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/report/analysis.hpp"
#include "series_stats.hpp"

namespace vdc::report {
namespace {

namespace metric = models::metric;

/// Counts past which a threshold is reported as not reached rather than as a number.
constexpr int kFitLimit = 1'000'000;
/// Where the ready search gives up when no utilisation bound stops it earlier.
constexpr int kReadySearchLimit = 100'000;

Headroom not_reached(std::string note) { return Headroom{std::nullopt, std::move(note), 0}; }
Headroom count(int n) { return Headroom{n, {}, 0}; }

/// Reference VMs needing `per_vm` each that fit in `room`.
Headroom fit_count(double room, double per_vm, std::string_view needs_nothing) {
  if (room <= 0.0) return count(0);  // already crossed
  if (per_vm <= 0.0) return not_reached(fmt::format("never binds: the reference VM {}", needs_nothing));
  const double n = std::floor(room / per_vm);
  if (n >= kFitLimit) return not_reached(fmt::format("never binds within {} VMs", kFitLimit));
  return count(static_cast<int>(n));
}

/// Headroom under the ready threshold: the most reference VMs whose addition keeps the
/// per-vCPU ready share of the finite-source queueing model (reference D.4; the estimate
/// the fluid CPU model uses) at or below `max_fraction`. Sources are the host's vCPUs at
/// the p95 demand shared evenly, servers its logical CPUs. Past the utilisation bound the
/// ready bound no longer decides, so the search stops there (or at kReadySearchLimit).
Headroom ready_headroom(const CapacityEntry& h, const ReferenceVm& ref, double max_fraction,
                        const Headroom& cpu_util) {
  if (h.pcpus <= 0 || h.lcpus <= 0) return count(0);
  const int limit = cpu_util.vms ? std::min(*cpu_util.vms, kReadySearchLimit) : kReadySearchLimit;
  const double core_mhz = h.cpu_capacity_mhz / h.pcpus;
  auto ok = [&](int n) {
    const int sources = h.vcpus + n * ref.vcpus;
    if (sources == 0) return true;
    const double busy = std::min(
        0.999, (h.cpu_demand_mhz.p95 + n * ref.cpu_demand_mhz_p95) / (sources * core_mhz));
    return sim::machine_repairman(sources, h.lcpus, busy).ready <= max_fraction;
  };
  if (!ok(0)) return count(0);
  if (ok(limit)) {
    if (limit == kReadySearchLimit) return not_reached(fmt::format("never binds within {} VMs", kReadySearchLimit));
    return not_reached(fmt::format("not reached within the {} {} cpu_util allows (searched no further)", limit, limit == 1 ? "VM" : "VMs"));
  }
  int lo = 0, hi = limit;  // ok(lo) holds, ok(hi) does not
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    (ok(mid) ? lo : hi) = mid;
  }
  return count(lo);
}

void set_headroom(CapacityEntry& e, const ReferenceVm& ref, const CapacitySettings& s, double min_free_mib) {
  e.headroom_cpu_util = fit_count(s.cpu_util_max_pct / 100.0 * e.cpu_capacity_mhz - e.cpu_demand_mhz.p95,
                                  ref.cpu_demand_mhz_p95, "demands no CPU");
  e.headroom_cpu_ready = ready_headroom(e, ref, s.ready_p95_max_pct / 100.0, e.headroom_cpu_util);
  e.headroom_mem_state = fit_count(
      e.mem_capacity_mib - s.mem_soft_pct_of_min_free / 100.0 * min_free_mib - e.mem_consumed_mib.p95,
      ref.memory_mib, "has no granted memory");
  e.headroom_mem_util = fit_count(s.mem_util_max_pct / 100.0 * e.mem_capacity_mib - e.mem_consumed_mib.p95,
                                  ref.memory_mib, "has no granted memory");
  const std::pair<const Headroom*, const char*> limits[] = {{&e.headroom_cpu_util, "cpu_util"},
                                                            {&e.headroom_cpu_ready, "cpu_ready"},
                                                            {&e.headroom_mem_state, "mem_state"},
                                                            {&e.headroom_mem_util, "mem_util"}};
  const std::pair<const Headroom*, const char*>* least = nullptr;
  for (const auto& l : limits) {
    if (l.first->vms && (least == nullptr || *l.first->vms < *least->first->vms)) least = &l;
  }
  if (least == nullptr) {
    e.headroom_vms = not_reached("no threshold is reached within the VMs searched");
    e.binding = "none";
  } else {
    e.headroom_vms = count(*least->first->vms);
    e.binding = least->second;
  }
}

/// A cluster's headroom under one threshold: the sum over its hosts where it is reached;
/// not reached when it is reached on none.
Headroom sum_headroom(const std::vector<const Headroom*>& hosts) {
  Headroom out;
  long sum = 0;
  int reached = 0;
  for (const Headroom* h : hosts) {
    if (!h->vms) continue;
    sum += *h->vms;
    ++reached;
  }
  const int n = static_cast<int>(hosts.size());
  out.hosts_not_reached = n - reached;
  if (reached == 0) {
    const bool same = std::all_of(hosts.begin(), hosts.end(), [&](const Headroom* h) { return h->note == hosts.front()->note; });
    if (n == 1) out.note = hosts.front()->note;
    else if (same) out.note = fmt::format("{}, on each of its {} hosts", hosts.front()->note, n);
    else out.note = fmt::format("not reached on any of its {} hosts", n);
    return out;
  }
  out.vms = static_cast<int>(std::min<long>(sum, std::numeric_limits<int>::max()));
  if (reached < n) {
    out.note = fmt::format("sum over the {} of {} hosts where it is reached; not reached on the other {}", reached, n,
                           n - reached);
  }
  return out;
}

ReferenceVm reference_vm(const models::RunResult& run, const std::string& name) {
  const auto& m = run.metrics;
  auto measure = [&](const models::VmFacts& v, ReferenceVm& r) {
    const auto entity = metric::vm_entity(v.name);
    r.cpu_demand_mhz_p95 = spread_of(m, entity, metric::vm_cpu_demand_mhz).p95;
    r.memory_mib = spread_of(m, entity, metric::vm_mem_granted_mib).p95;
  };
  ReferenceVm ref;
  if (!name.empty()) {
    const auto it = std::find_if(run.vms.begin(), run.vms.end(), [&](const auto& v) { return v.name == name; });
    if (it == run.vms.end()) throw std::invalid_argument(fmt::format("reference VM '{}' is not in the scenario", name));
    ref.name = it->name;
    ref.vcpus = it->vcpus;
    measure(*it, ref);
    return ref;
  }
  ref.name = "average VM";
  double vcpus = 0.0;
  int n = 0;
  for (const auto& v : run.vms) {
    if (v.host.empty()) continue;  // never ran
    ReferenceVm one;
    measure(v, one);
    ref.cpu_demand_mhz_p95 += one.cpu_demand_mhz_p95;
    ref.memory_mib += one.memory_mib;
    vcpus += v.vcpus;
    ++n;
  }
  if (n > 0) {
    ref.cpu_demand_mhz_p95 /= n;
    ref.memory_mib /= n;
    ref.vcpus = std::max(1, static_cast<int>(std::lround(vcpus / n)));
  }
  return ref;
}

}  // namespace

CapacityReport analyse_capacity(const models::RunResult& run, const CapacitySettings& settings) {
  CapacityReport rep;
  rep.settings = settings;
  rep.reference = reference_vm(run, settings.reference_vm);
  rep.warmup_s = run.warmup.seconds();
  rep.window_s = (run.duration - run.warmup).seconds();
  const std::string window =
      run.warmup > sim::Time::zero()
          ? fmt::format("The percentiles cover [{}, {}) of simulated time: the first {} (warm-up) are left out.",
                        run.warmup, run.duration, run.warmup)
          : std::string("The percentiles cover the whole run (no warm-up).");
  rep.method = fmt::format(
      "Headroom is an analytic estimate from the run's demand percentiles, not a simulated result: the number of "
      "additional VMs like the reference ({}: {} vCPU, p95 CPU demand {:.0f} MHz, p95 granted memory {:.0f} MiB) "
      "that each host takes before a threshold is crossed: p95 CPU demand above {:.0f}% of capacity; per-vCPU ready "
      "above {:.1f}% by the finite-source queueing estimate the fluid CPU model uses (the host's vCPUs at p95 "
      "demand on its logical CPUs); free memory below {:.0f}% of minFree "
      "(the soft state); p95 consumed memory above {:.0f}% of capacity. A threshold that is not crossed within the "
      "VMs searched is reported as not reached, with the reason. A cluster's headroom is the sum over its hosts "
      "where the threshold is reached. {}",
      rep.reference.name, rep.reference.vcpus, rep.reference.cpu_demand_mhz_p95, rep.reference.memory_mib,
      settings.cpu_util_max_pct, settings.ready_p95_max_pct, settings.mem_soft_pct_of_min_free,
      settings.mem_util_max_pct, window);

  const auto& m = run.metrics;
  std::map<std::string, std::pair<double, double>> reserved;  // host -> (MHz, MiB) of powered-on VMs
  std::map<std::string, double> vram;
  for (const auto& v : run.vms) {
    if (!v.powered_on || v.host.empty()) continue;
    reserved[v.host].first += v.cpu_reservation_mhz;
    reserved[v.host].second += v.mem_reservation_mib;
    vram[v.host] += v.memory_mib;
  }

  std::map<std::string, std::size_t> cluster_index;
  std::map<std::string, std::vector<std::size_t>> cluster_hosts;
  const models::ReportView view = run.view();
  for (std::size_t hi = 0; hi < run.hosts.size(); ++hi) {
    const auto& h = run.hosts[hi];
    const auto entity = metric::host_entity(h.name);
    CapacityEntry e;
    e.name = h.name;
    e.cluster = h.cluster;
    e.cpu_capacity_mhz = h.capacity_mhz;
    e.cpu_reserved_mhz = reserved[h.name].first;
    e.mem_capacity_mib = h.memory_mib;
    e.mem_reserved_mib = reserved[h.name].second;
    e.pcpus = h.pcpus;
    e.lcpus = h.lcpus;
    e.vcpus = h.vcpus;
    e.vcpu_per_pcpu = h.pcpus > 0 ? static_cast<double>(h.vcpus) / h.pcpus : 0.0;
    e.vram_mib = vram[h.name];
    e.vram_per_pram = h.memory_mib > 0 ? e.vram_mib / h.memory_mib : 0.0;
    e.cpu_demand_mhz = spread_of(m, entity, metric::host_cpu_demand_mhz);
    e.cpu_used_mhz_avg = spread_of(m, entity, metric::host_cpu_used_mhz).avg;
    e.mem_consumed_mib = spread_of(m, entity, metric::host_mem_consumed_mib);
    // The memory area's minFree (none without it: the soft state then never binds early).
    set_headroom(e, rep.reference, settings,
                 view.value("memory", models::EntityKind::host, hi, "min_free_mib").value_or(0.0));
    cluster_hosts[h.cluster.empty() ? std::string("site") : h.cluster].push_back(rep.hosts.size());
    rep.hosts.push_back(std::move(e));
  }

  for (const auto& [name, members] : cluster_hosts) {
    CapacityEntry c;
    c.name = name;
    c.cluster = name;
    c.hosts = static_cast<int>(members.size());
    std::vector<std::string> entities;
    std::map<std::string, int> bindings;
    std::vector<const Headroom*> cpu_util, cpu_ready, mem_state, mem_util, least;
    for (std::size_t i : members) {
      const auto& h = rep.hosts[i];
      c.cpu_capacity_mhz += h.cpu_capacity_mhz;
      c.cpu_reserved_mhz += h.cpu_reserved_mhz;
      c.mem_capacity_mib += h.mem_capacity_mib;
      c.mem_reserved_mib += h.mem_reserved_mib;
      c.pcpus += h.pcpus;
      c.lcpus += h.lcpus;
      c.vcpus += h.vcpus;
      c.vram_mib += h.vram_mib;
      c.cpu_used_mhz_avg += h.cpu_used_mhz_avg;
      cpu_util.push_back(&h.headroom_cpu_util);
      cpu_ready.push_back(&h.headroom_cpu_ready);
      mem_state.push_back(&h.headroom_mem_state);
      mem_util.push_back(&h.headroom_mem_util);
      least.push_back(&h.headroom_vms);
      ++bindings[h.binding];
      entities.push_back(metric::host_entity(h.name));
    }
    c.vcpu_per_pcpu = c.pcpus > 0 ? static_cast<double>(c.vcpus) / c.pcpus : 0.0;
    c.vram_per_pram = c.mem_capacity_mib > 0 ? c.vram_mib / c.mem_capacity_mib : 0.0;
    c.cpu_demand_mhz = spread_of_sum(m, entities, metric::host_cpu_demand_mhz);
    c.mem_consumed_mib = spread_of_sum(m, entities, metric::host_mem_consumed_mib);
    c.headroom_cpu_util = sum_headroom(cpu_util);
    c.headroom_cpu_ready = sum_headroom(cpu_ready);
    c.headroom_mem_state = sum_headroom(mem_state);
    c.headroom_mem_util = sum_headroom(mem_util);
    c.headroom_vms = sum_headroom(least);
    c.binding = std::max_element(bindings.begin(), bindings.end(), [](const auto& a, const auto& b) {
                  return a.second < b.second;
                })->first;
    rep.clusters.push_back(std::move(c));
  }
  return rep;
}

}  // namespace vdc::report
