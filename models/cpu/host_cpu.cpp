#include "vdc/models/cpu/host_cpu.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "vdc/models/cpu/detailed_cpu.hpp"
#include "vdc/models/cpu/fluid_cpu.hpp"
#include "vdc/models/metric_names.hpp"

namespace vdc::models::cpu {

std::vector<EntitlementTree::NodeId> add_pools(EntitlementTree& tree,
                                               const std::vector<PoolSpec>& pools) {
  std::vector<EntitlementTree::NodeId> nodes(pools.size(), EntitlementTree::root);
  for (std::size_t i = 0; i < pools.size(); ++i) {
    const PoolSpec& p = pools[i];
    const auto parent =
        p.parent < 0 ? EntitlementTree::root : nodes[static_cast<std::size_t>(p.parent)];
    nodes[i] = tree.add_pool(parent, p.shares, p.reservation_mhz, p.limit_mhz);
  }
  return nodes;
}

EntitlementTree::NodeId add_vm_leaf(EntitlementTree& tree, const VmCpu& vm,
                                    const std::vector<EntitlementTree::NodeId>& pool_nodes) {
  const auto parent =
      vm.pool < 0 ? EntitlementTree::root : pool_nodes[static_cast<std::size_t>(vm.pool)];
  return tree.add_vm(parent, vm.shares, vm.reservation_mhz, vm.limit_mhz);
}

VmCpuMetrics register_vm_cpu_metrics(sim::MetricsRegistry& metrics, std::string_view vm,
                                     bool keep_series) {
  const std::string entity = metric::vm_entity(vm);
  VmCpuMetrics m;
  m.run = metrics.gauge(entity, metric::vm_cpu_run, keep_series);
  m.ready = metrics.gauge(entity, metric::vm_cpu_ready, keep_series);
  m.costop = metrics.gauge(entity, metric::vm_cpu_costop, keep_series);
  m.wait = metrics.gauge(entity, metric::vm_cpu_wait, keep_series);
  m.used_mhz = metrics.gauge(entity, metric::vm_cpu_used_mhz);
  m.demand_mhz = metrics.gauge(entity, metric::vm_cpu_demand_mhz);
  m.entitlement_mhz = metrics.gauge(entity, metric::vm_cpu_entitlement_mhz);
  m.tasks_completed = metrics.counter(entity, metric::vm_cpu_tasks_completed);
  return m;
}

HostCpuMetrics register_host_cpu_metrics(sim::MetricsRegistry& metrics, std::string_view host,
                                         bool keep_series) {
  const std::string entity = metric::host_entity(host);
  HostCpuMetrics m;
  m.used_mhz = metrics.gauge(entity, metric::host_cpu_used_mhz, keep_series);
  m.demand_mhz = metrics.gauge(entity, metric::host_cpu_demand_mhz, keep_series);
  return m;
}

void publish_powered_off(sim::MetricsRegistry& metrics, const VmCpuMetrics& ids, sim::Time now) {
  metrics.set(ids.run, now, 0.0);
  metrics.set(ids.ready, now, 0.0);
  metrics.set(ids.costop, now, 0.0);
  metrics.set(ids.wait, now, 1.0);
  metrics.set(ids.used_mhz, now, 0.0);
  metrics.set(ids.demand_mhz, now, 0.0);
  metrics.set(ids.entitlement_mhz, now, 0.0);
}

VmCpu make_vm_cpu(const VmConfig& config, std::uint64_t seed, const CpuParameters& params,
                  const VmCpuMetrics& metrics) {
  VmCpu vm;
  vm.name = config.name;
  vm.vcpus = std::max(1, config.vcpus);
  vm.memory_mib = config.memory_mib;
  vm.shares = cpu_shares(config.cpu, vm.vcpus);
  vm.reservation_mhz = config.cpu.reservation;
  if (config.cpu.limit) vm.limit_mhz = *config.cpu.limit;
  vm.generators.reserve(static_cast<std::size_t>(vm.vcpus));
  for (int k = 0; k < vm.vcpus; ++k) {
    vm.generators.emplace_back(config.cpu_workload, seed,
                               fmt::format("vm/{}/vcpu{}", config.name, k),
                               params.constant_period);
  }
  vm.progress.assign(static_cast<std::size_t>(vm.vcpus), VcpuProgress{});
  vm.metrics = metrics;
  return vm;
}

HtCapacity ht_capacity(int pcpus, int lcpus, double ht_factor, double demand_cores,
                       int busy_vcpus) {
  const double p = pcpus;
  const int threads = std::min(lcpus, busy_vcpus);
  if (demand_cores <= p || threads <= pcpus || ht_factor <= 1.0) return HtCapacity{p, 1.0};
  // u threads busy (u - P cores doubled) deliver P + (h - 1)(u - P) cores of throughput;
  // take the fewest threads that serve the demand, if the threads suffice.
  const double gain = ht_factor - 1.0;
  const double needed = p + (demand_cores - p) / gain;
  const double used = std::min(needed, static_cast<double>(threads));
  const double cores = p + gain * (used - p);
  return HtCapacity{cores, cores / used};
}

}  // namespace vdc::models::cpu
