#include "workload_seeding.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "vdc/models/cpu/cpu_parameters.hpp"
#include "vdc/models/host/numa.hpp"
#include "vdc/models/memory/memory_parameters.hpp"
#include "vdc/models/memory/memory_rules.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::import::detail {
namespace {

using namespace vdc::sim::literals;

/// The scenario's default memory workload (docs/scenario.md "Memory workload").
constexpr models::MemoryWorkload default_memory{};

std::string plural(std::size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

models::CpuWorkload cpu_workload(double demand, WorkloadShape shape) {
  if (shape == WorkloadShape::constant) return models::ConstantCpu{demand};
  models::DiurnalCpu w;
  w.mean = demand;
  w.amplitude = std::min(demand * diurnal_amplitude_of_mean, 1.0 - demand);
  w.peak = sim::Time::from_ns(std::int64_t{diurnal_peak_hour} * 3'600'000'000'000);
  w.step = sim::Time::from_ns(std::int64_t{diurnal_step_minutes} * 60'000'000'000);
  return w;
}

/// The VMs vHost counts on a host that vInfo does not list, as one stand-in.
struct Standin {
  std::size_t host = 0;
  int vms = 0;             // how many VMs it stands for
  int vcpus = 1;
  double cpu_mhz = 0.0;    // the host's measured CPU less its listed VMs'
  double memory_mib = 0.0; // the host's used memory less its listed VMs' consumption
  std::optional<double> active_mib;
};

/// Appends a VM for each stand-in (on its host, powered on, seeded SeedSource::unlisted)
/// to result.config.vms and the per-VM vectors.
void add_standins(const std::vector<Standin>& standins, std::vector<std::string>& notes, ImportResult& result,
                  std::vector<double>& demand, std::vector<double>& touched, std::vector<double>& active,
                  std::vector<std::size_t>& host_of) {
  models::ScenarioConfig& config = result.config;
  for (const Standin& st : standins) {
    const models::HostConfig& host = config.hosts[st.host];
    std::string name = "unlisted-" + host.name;
    const auto taken = [&](const std::string& candidate) {
      return std::any_of(config.vms.begin(), config.vms.end(),
                         [&](const models::VmConfig& v) { return v.name == candidate; });
    };
    for (int k = 2; taken(name); ++k) name = fmt::format("unlisted-{}-{}", host.name, k);
    models::VmConfig vm;
    vm.name = name;
    vm.host = host.name;
    vm.cluster = host.cluster;
    vm.vcpus = st.vcpus;
    // Its memory is what the unlisted VMs consumed, less the stand-in's own overhead, and
    // all of it touched.
    const double overhead = models::memory::overhead_mib(st.memory_mib, st.vcpus);
    vm.memory_mib = std::max(scenario::limits::min_vm_memory_mib, std::round(st.memory_mib - overhead));
    const double cpu = st.cpu_mhz / (st.vcpus * host.cpu.frequency_mhz);
    if (cpu > 1.0) {
      notes.push_back(fmt::format(
          "host '{}': the unlisted VMs' {:.0f} MHz is more than the stand-in's {} can use; seeded at 100%",
          host.name, st.cpu_mhz, plural(static_cast<std::size_t>(st.vcpus), "vCPU", "vCPUs")));
    }
    demand.push_back(std::min(cpu, 1.0));
    touched.push_back(st.memory_mib > overhead ? 1.0 : 0.0);
    active.push_back(st.active_mib ? std::min(1.0, *st.active_mib / vm.memory_mib) : default_memory.active);
    host_of.push_back(st.host);
    VmSeed seed;
    seed.cpu = SeedSource::unlisted;
    seed.memory = SeedSource::unlisted;
    result.seeds.push_back(seed);
    result.standins.push_back(StandinVm{name, host.name, st.vms});
    config.vms.push_back(std::move(vm));
  }
}

}  // namespace

void seed_workloads(const std::vector<HostRow>& hosts, const std::vector<VmUsage>& usage,
                    ImportResult& result) {
  models::ScenarioConfig& config = result.config;
  std::map<std::string, std::size_t> host_index;
  for (std::size_t h = 0; h < config.hosts.size(); ++h) host_index[config.hosts[h].name] = h;
  std::size_t n = config.vms.size();
  result.seeds.assign(n, VmSeed{});
  std::vector<double> touched(n, 1.0);  // fraction of the VM's memory
  std::vector<double> active(n, default_memory.active);
  std::vector<double> demand(n, 0.0);   // per vCPU, fraction of a core
  std::vector<std::size_t> host_of(n, 0);
  std::vector<std::string>& notes = result.disagreements;
  // Measured usage includes the NUMA penalty of wide VMs; the seeded demand leaves it out,
  // as the CPU model adds it back.
  std::vector<double> stretch = numa_stretch(config);

  // 1. A VM's own columns.
  for (std::size_t i = 0; i < n; ++i) {
    const models::VmConfig& vm = config.vms[i];
    host_of[i] = host_index.at(vm.host);
    if (!vm.powered_on) continue;
    const double mhz = config.hosts[host_of[i]].cpu.frequency_mhz;
    VmSeed& seed = result.seeds[i];
    const VmUsage& u = usage[i];
    if (u.cpu_mhz) {
      seed.cpu = SeedSource::vm_columns;
      demand[i] = *u.cpu_mhz / (vm.vcpus * mhz * stretch[i]);
      if (demand[i] > 1.0) {
        notes.push_back(fmt::format(
            "VM '{}': vCPU 'Overall' {} MHz is more than its {} at {} MHz; seeded at 100%",
            vm.name, *u.cpu_mhz, plural(static_cast<std::size_t>(vm.vcpus), "vCPU", "vCPUs"),
            mhz));
        demand[i] = 1.0;
      }
    }
    if (u.consumed_mib) {
      seed.memory = SeedSource::vm_columns;
      const double overhead =
          u.consumed_overhead_mib ? *u.consumed_overhead_mib
                                  : models::memory::overhead_mib(vm.memory_mib, vm.vcpus);
      touched[i] = std::clamp((*u.consumed_mib - overhead) / vm.memory_mib, 0.0, 1.0);
      active[i] = u.active_mib ? *u.active_mib / vm.memory_mib : default_memory.active;
    } else if (u.active_mib) {
      active[i] = *u.active_mib / vm.memory_mib;
    }
  }

  // 2. The rest of each host's measured usage, shared among its other VMs by size, or,
  // where every VM there has its own figures and vHost counts VMs that vInfo does not list,
  // carried by one stand-in VM for them.
  std::size_t capped_hosts = 0;
  std::vector<Standin> standins;
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    const HostRow& row = hosts[h];
    const models::HostConfig& host = config.hosts[h];
    double own_cpu = 0.0;
    double own_memory = 0.0;
    double own_active = 0.0;
    double share_vcpus = 0.0;
    double share_memory = 0.0;
    double share_overhead = 0.0;
    std::vector<std::size_t> cpu_share;
    std::vector<std::size_t> memory_share;
    for (std::size_t i = 0; i < n; ++i) {
      const models::VmConfig& vm = config.vms[i];
      if (host_of[i] != h || !vm.powered_on) continue;
      const double overhead = models::memory::overhead_mib(vm.memory_mib, vm.vcpus);
      if (result.seeds[i].cpu == SeedSource::vm_columns) {
        own_cpu += demand[i] * vm.vcpus * host.cpu.frequency_mhz * stretch[i];
      } else {
        cpu_share.push_back(i);
        share_vcpus += vm.vcpus;
      }
      if (result.seeds[i].memory == SeedSource::vm_columns) {
        own_memory += touched[i] * vm.memory_mib + overhead;
        own_active += active[i] * vm.memory_mib;
      } else {
        memory_share.push_back(i);
        share_memory += vm.memory_mib;
        share_overhead += overhead;
      }
    }
    int listed_on = 0;
    int listed_vcpus = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (host_of[i] != h || !config.vms[i].powered_on) continue;
      ++listed_on;
      listed_vcpus += config.vms[i].vcpus;
    }
    if (row.vms && *row.vms > listed_on && cpu_share.empty() && memory_share.empty()) {
      Standin st;
      st.host = h;
      st.vms = *row.vms - listed_on;
      // Its vCPUs: the unlisted VMs' (vHost's "# vCPUs" less the listed ones'), at most
      // one NUMA node's cores, so that the model adds no NUMA penalty to measured usage.
      const int node_cores = std::max(1, host.cpu.pcpus() / host.cpu.numa_node_count());
      st.vcpus = std::clamp(row.vcpus ? *row.vcpus - listed_vcpus : st.vms, 1, node_cores);
      if (row.cpu_usage_pct) {
        st.cpu_mhz = std::max(0.0, *row.cpu_usage_pct / 100.0 * host.cpu.capacity_mhz() - own_cpu);
      }
      if (row.memory_usage_pct) {
        st.memory_mib = std::max(0.0, *row.memory_usage_pct / 100.0 * host.memory_mib - own_memory);
      }
      if (row.vm_used_mib) st.active_mib = std::max(0.0, *row.vm_used_mib - own_active);
      if (st.cpu_mhz > 0.0 || st.memory_mib > 0.0) standins.push_back(st);
    }
    if (row.cpu_usage_pct && !cpu_share.empty()) {
      const double used = *row.cpu_usage_pct / 100.0 * host.cpu.capacity_mhz();
      // MHz per vCPU as measured; each VM asks for it less its own NUMA penalty.
      const double per_vcpu = std::max(0.0, used - own_cpu) / share_vcpus;
      bool capped = false;
      for (const std::size_t i : cpu_share) {
        demand[i] = per_vcpu / (host.cpu.frequency_mhz * stretch[i]);
        if (demand[i] > 1.0) {
          capped = true;
          demand[i] = 1.0;
        }
        result.seeds[i].cpu = SeedSource::host_share;
      }
      if (capped) {
        notes.push_back(fmt::format(
            "host '{}': vHost's CPU usage {:.0f} MHz is more than its VMs' vCPUs can use; "
            "seeded at 100% per vCPU",
            host.name, used));
      }
    }
    if (row.memory_usage_pct && !memory_share.empty()) {
      const double used = *row.memory_usage_pct / 100.0 * host.memory_mib;
      double t = std::max(0.0, used - own_memory - share_overhead) / share_memory;
      if (t > 1.0) {
        ++capped_hosts;
        notes.push_back(fmt::format(
            "host '{}': vHost's used memory {:.0f} MiB is more than its powered-on VMs can "
            "consume ({:.0f} MiB with overheads); their touched memory is seeded at 100%",
            host.name, used, own_memory + share_memory + share_overhead));
        t = 1.0;
      }
      double a = default_memory.active;
      if (row.vm_used_mib) a = std::max(0.0, *row.vm_used_mib - own_active) / share_memory;
      for (const std::size_t i : memory_share) {
        touched[i] = t;
        active[i] = a;
        result.seeds[i].memory = SeedSource::host_share;
      }
    }
  }

  add_standins(standins, notes, result, demand, touched, active, host_of);
  const std::size_t listed = n;
  n = config.vms.size();
  stretch.resize(n, 1.0);  // a stand-in fits one NUMA node

  // 3. The workloads, the seeds and the warm-up.
  double largest_touch_mib = 0.0;
  std::size_t cpu_counts[4] = {0, 0, 0, 0};
  std::size_t memory_counts[4] = {0, 0, 0, 0};
  std::size_t on = 0;
  for (std::size_t i = 0; i < n; ++i) {
    models::VmConfig& vm = config.vms[i];
    if (!vm.powered_on) continue;
    if (i < listed) ++on;
    VmSeed& seed = result.seeds[i];
    ++cpu_counts[static_cast<int>(seed.cpu)];
    ++memory_counts[static_cast<int>(seed.memory)];
    const double mhz = config.hosts[host_of[i]].cpu.frequency_mhz;
    if (seed.cpu != SeedSource::none) vm.cpu_workload = cpu_workload(demand[i], result.options.shape);
    seed.cpu_mhz = demand[i] * vm.vcpus * mhz * stretch[i];
    if (seed.memory != SeedSource::none) {
      vm.mem_workload.touched = touched[i];
      vm.mem_workload.active = std::min(std::max(active[i], 0.0), touched[i]);
    }
    seed.consumed_mib = vm.mem_workload.touched * vm.memory_mib +
                        models::memory::overhead_mib(vm.memory_mib, vm.vcpus);
    largest_touch_mib = std::max(largest_touch_mib, vm.mem_workload.touched * vm.memory_mib);
  }

  // Per cluster: vHost's figures and the seeded load.
  std::map<std::string, std::size_t> cluster_index;
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    const models::HostConfig& host = config.hosts[h];
    auto [it, fresh] = cluster_index.emplace(host.cluster, result.usage.size());
    if (fresh) {
      ClusterUsage c;
      c.cluster = host.cluster;
      c.vhost_cpu_mhz = 0.0;
      c.vhost_memory_mib = 0.0;
      c.vhost_vms = 0;
      result.usage.push_back(c);
    }
    ClusterUsage& c = result.usage[it->second];
    ++c.hosts;
    c.capacity_mhz += host.cpu.capacity_mhz();
    c.memory_mib += host.memory_mib;
    const HostRow& row = hosts[h];
    if (c.vhost_cpu_mhz && row.cpu_usage_pct) {
      *c.vhost_cpu_mhz += *row.cpu_usage_pct / 100.0 * host.cpu.capacity_mhz();
    } else {
      c.vhost_cpu_mhz.reset();
    }
    if (c.vhost_memory_mib && row.memory_usage_pct) {
      *c.vhost_memory_mib += *row.memory_usage_pct / 100.0 * host.memory_mib;
    } else {
      c.vhost_memory_mib.reset();
    }
    if (c.vhost_vms && row.vms) {
      *c.vhost_vms += *row.vms;
    } else {
      c.vhost_vms.reset();
    }
  }
  std::vector<bool> placed(n, false);
  for (const Placement& p : result.placements) {
    for (std::size_t i = 0; i < n; ++i) {
      if (config.vms[i].name == p.vm) placed[i] = true;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!config.vms[i].powered_on) continue;
    ClusterUsage& c = result.usage[cluster_index.at(config.hosts[host_of[i]].cluster)];
    if (i < listed) {
      ++c.vms_on;
    } else {
      ++c.standins;
      c.standing_for += result.standins[i - listed].stands_for;
    }
    if (placed[i]) ++c.placed_on;
    c.seeded_cpu_mhz += result.seeds[i].cpu_mhz;
    c.seeded_memory_mib += result.seeds[i].consumed_mib;
  }
  if (const auto it = std::find_if(result.usage.begin(), result.usage.end(),
                                   [](const ClusterUsage& c) { return c.cluster.empty(); });
      it != result.usage.end()) {
    std::rotate(it, it + 1, result.usage.end());
  }

  // The warm-up covers the first touch of the largest touched size at the model's rate,
  // in whole minutes; the run is the warm-up and one measured hour.
  const double rate = models::memory::MemoryParams{}.touch_rate_mib_per_s;
  const auto warmup_min = static_cast<std::int64_t>(std::ceil(largest_touch_mib / rate / 60.0));
  config.warmup = sim::Time::from_ns(warmup_min * 60'000'000'000);
  config.duration = config.warmup + 1_h;

  // What was done, in words.
  std::vector<std::string>& w = result.workload_notes;
  const auto count = [](const std::size_t (&c)[4], SeedSource s) {
    return c[static_cast<int>(s)];
  };
  if (count(cpu_counts, SeedSource::none) == on && count(memory_counts, SeedSource::none) == on) {
    w.push_back(
        "The export records no usage (no vCPU 'Overall', vMemory 'Consumed', or vHost 'CPU "
        "usage %' and 'Memory usage %'): every VM keeps the scenario defaults, CPU 0% and "
        "memory touched 100%, active 25%.");
  } else {
    w.push_back(fmt::format(
        "CPU demand of the {} powered-on VMs: {} from their own vCPU 'Overall' MHz; {} from "
        "their host's vHost 'CPU usage %' (less what VMs with their own figure use), shared "
        "by vCPUs; {} without a figure (0%).",
        on, count(cpu_counts, SeedSource::vm_columns), count(cpu_counts, SeedSource::host_share),
        count(cpu_counts, SeedSource::none)));
    w.push_back(fmt::format(
        "Memory: {} VMs touched = vMemory 'Consumed' less 'Consumed Overhead', active = "
        "'Active'; {} VMs share their host's vHost 'Memory usage %' (less the other VMs' "
        "consumption and every VM's overhead; the vmkernel's memory, not modelled, included) "
        "by configured memory as touched, and 'VM Used memory' the same way as active; {} "
        "without a figure keep touched 100%, active 25%.",
        count(memory_counts, SeedSource::vm_columns),
        count(memory_counts, SeedSource::host_share), count(memory_counts, SeedSource::none)));
    if (result.options.shape == WorkloadShape::constant) {
      w.push_back("Shape: constant at the measured level (`--workload constant`).");
    } else {
      w.push_back(fmt::format(
          "Shape (`--workload diurnal`): CPU demand = mean + amplitude x cos(2 pi (t - "
          "{:02}:00) / 24 h), mean = the measured level, amplitude {:.0f}% of the mean (less "
          "when the peak would pass a full core), changing every {} min; the run starts at "
          "00:00, so its first hours are below the mean. Memory stays constant.",
          diurnal_peak_hour, diurnal_amplitude_of_mean * 100.0, diurnal_step_minutes));
    }
  }
  if (!standins.empty()) {
    int unlisted_vms = 0;
    for (const Standin& st : standins) unlisted_vms += st.vms;
    w.push_back(fmt::format(
        "vHost counts {} powered-on VMs that vInfo does not list on {} whose listed VMs have "
        "their own figures: one stand-in VM per host (named unlisted-<host>) carries the rest "
        "of the host's measured CPU and memory, so the hosts start as loaded as vHost saw "
        "them. Its vCPUs are the unlisted VMs' (at most one NUMA node's cores), its memory "
        "what they consumed.",
        unlisted_vms, plural(standins.size(), "host", "hosts")));
  }
  if (capped_hosts > 0) {
    w.push_back(fmt::format("On {} the VMs cannot consume all the memory vHost reports used "
                            "(listed among the disagreements).",
                            plural(capped_hosts, "host", "hosts")));
  }
  double ballooned = 0.0;
  double swapped = 0.0;
  double readiness = 0.0;
  std::size_t with_readiness = 0;
  for (std::size_t i = 0; i < listed; ++i) {
    if (!config.vms[i].powered_on) continue;
    ballooned += usage[i].ballooned_mib.value_or(0.0);
    swapped += usage[i].swapped_mib.value_or(0.0);
    if (usage[i].readiness_pct) {
      readiness += *usage[i].readiness_pct;
      ++with_readiness;
    }
  }
  if (ballooned > 0.0 || swapped > 0.0) {
    w.push_back(fmt::format(
        "vMemory records {:.0f} MiB ballooned and {:.0f} MiB swapped: not seeded (the model "
        "reclaims only under memory pressure).",
        ballooned, swapped));
  }
  if (with_readiness > 0) {
    w.push_back(fmt::format(
        "vInfo 'Overall Cpu Readiness' averages {:.1f}% over {}: not seeded (ready time is "
        "what the model computes; compare it with a run's report).",
        readiness / static_cast<double>(with_readiness),
        plural(with_readiness, "powered-on VM", "powered-on VMs")));
  }
  w.push_back(fmt::format(
      "Warm-up {} min: the largest touched size, {:.0f} MiB, at the first-touch rate of {} "
      "MiB/s (memory.touch_rate_mib_per_s), rounded up to whole minutes; reports cover the "
      "hour after it.",
      warmup_min, largest_touch_mib, rate));
}

}  // namespace vdc::import::detail

namespace vdc::import {

std::vector<double> numa_stretch(const models::ScenarioConfig& config) {
  models::cpu::CpuParameters defaults;
  const auto param = [&](const char* name, double fallback) {
    const auto it = config.parameters.find(name);
    return it == config.parameters.end() ? fallback : it->second;
  };
  const double penalty = param("cpu.numa_remote_penalty", defaults.numa_remote_penalty);
  const int vnuma_min = static_cast<int>(param("cpu.vnuma_min_vcpus", defaults.vnuma_min_vcpus));
  std::map<std::string, models::host::NumaBalancer> balancers;
  for (const models::HostConfig& h : config.hosts)
    balancers.emplace(h.name, models::host::numa_nodes(h.cpu, h.memory_mib));
  std::vector<double> out(config.vms.size(), 1.0);
  for (std::size_t i = 0; i < config.vms.size(); ++i) {
    const models::VmConfig& vm = config.vms[i];
    const auto it = balancers.find(vm.host);
    if (!vm.powered_on || it == balancers.end()) continue;
    out[i] = 1.0 + penalty * it->second.place(vm.vcpus, vm.memory_mib, vnuma_min).remote_fraction;
  }
  return out;
}

}  // namespace vdc::import
