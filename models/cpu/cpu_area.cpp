// The CPU area: include/vdc/models/cpu/cpu_area.hpp.
#include "vdc/models/cpu/cpu_area.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

#include "vdc/models/cpu/costop_chain.hpp"
#include "vdc/models/cpu/detailed_cpu.hpp"
#include "vdc/models/cpu/fluid_cpu.hpp"
#include "vdc/models/cpu/host_cpu.hpp"
#include "vdc/models/memory/memory_area.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/trace/trace_cache.hpp"

namespace vdc::models::cpu {
namespace {

// Pool changes that move reservations between hosts are applied once all events of the
// same instant ran (larger priorities run later).
constexpr int end_of_step = 1000;

/// Builds the CPU model of one host in one fidelity (the fluid one looks its co-stop chains
/// up in `chains`).
using HostModelFactory = std::unique_ptr<HostCpuModel> (*)(sim::Simulator&, sim::MetricsRegistry&,
                                                           const HostConfig&, const CpuParameters&,
                                                           const HostCpuMetrics&, CostopChainCache& chains);

template <typename Model>
std::unique_ptr<HostCpuModel> make_host(sim::Simulator& sim, sim::MetricsRegistry& metrics, const HostConfig& host,
                                        const CpuParameters& params, const HostCpuMetrics& ids,
                                        CostopChainCache& chains) {
  if constexpr (std::is_same_v<Model, FluidHostCpu>) {
    return std::make_unique<Model>(sim, metrics, host, params, ids, &chains);
  } else {
    return std::make_unique<Model>(sim, metrics, host, params, ids);
  }
}

/// Cores of throughput a host's model delivers with every logical CPU busy.
using GrantedCores = double (*)(const HostConfig&, const CpuParameters&);

/// The fluid rule (docs/models.md "CPU", step 2): P + (h - 1)(u - P) with u every thread.
double fluid_granted_cores(const HostConfig& host, const CpuParameters& params) {
  const int lcpus = host.cpu.lcpus();
  return ht_capacity(host.cpu.pcpus(), lcpus, params.ht_factor, static_cast<double>(lcpus), lcpus).cores;
}

/// The detailed rule: a core with busy threads delivers ht_factor, split among them.
double detailed_granted_cores(const HostConfig& host, const CpuParameters& params) {
  const double p = host.cpu.pcpus();
  return host.cpu.threads_per_core > 1 ? p * std::max(1.0, params.ht_factor) : p;
}

class CpuArea final : public Area {
 public:
  CpuArea(const AreaContext& ctx, HostModelFactory make_model, GrantedCores granted_cores)
      : ctx_(ctx), params_(CpuParameters::from(ctx.config.parameters)), granted_cores_(granted_cores) {
    const ScenarioConfig& config = ctx.config;
    for (const HostConfig& hc : config.hosts) {
      hosts_.push_back(make_model(ctx.sim, ctx.metrics, hc, params_,
                                  register_host_cpu_metrics(ctx.metrics, hc.name, ctx.series.keeps("cpu.hosts")),
                                  chains_));
      // The capacity the host's model grants with every logical CPU busy, for the reports'
      // utilisation (which therefore never exceeds 100%).
      ctx.metrics.set(ctx.metrics.gauge(metric::host_entity(hc.name), metric::host_cpu_granted_capacity_mhz),
                      ctx.sim.now(), granted_cores_(hc, params_) * hc.cpu.frequency_mhz);
    }
    pools_.resize(config.pools.size());
    for (const std::size_t p : config.pool_order) {
      const PoolConfig& pc = config.pools[p];
      pools_[p].bounded = (pc.parent_id >= 0 && pools_[static_cast<std::size_t>(pc.parent_id)].bounded) ||
                          pc.cpu.reservation > 0.0 || pc.cpu.limit.has_value();
    }
    marked_.assign(hosts_.size(), false);
    vms_.reserve(config.vms.size());
    for (const VmConfig& vc : config.vms) {
      Vm vm;
      vm.cpu = make_vm_cpu(vc, config.seed, params_,
                           register_vm_cpu_metrics(ctx.metrics, vc.name, ctx.series.keeps("cpu.vm_states")));
      publish_powered_off(ctx.metrics, vm.cpu.metrics, ctx.sim.now());
      vms_.push_back(std::move(vm));
    }
    // Trace files are read now, so that a bad one fails the run before it starts.
    for (VmId v = 0; v < vms_.size(); ++v) set_trace_host(v, first_host(config.vms[v]));
    ctx.signals.get<memory::ProgressChanged>().connect(
        [this](const memory::ProgressChanged& e) { set_speed(e.vm, e.factor); });
  }

  void power_on(VmId vm, HostId host) override { enter(vm, host); }

  void power_off(VmId v) override {
    leave(v);
    Vm& vm = vms_[v];
    // A VM powered on again starts its workload afresh.
    for (auto& g : vm.cpu.generators) g.restart();
    vm.cpu.progress.assign(vm.cpu.progress.size(), VcpuProgress{});
    publish_powered_off(ctx_.metrics, vm.cpu.metrics, ctx_.sim.now());
  }

  void depart(VmId vm, HostId) override { leave(vm); }

  void arrive(VmId vm, HostId to) override { enter(vm, to); }

  void finish(sim::Time end, RunResult&) override {
    for (auto& h : hosts_) h->finish(end);
  }

 private:
  struct Pool {
    bool bounded = false;  // it or an ancestor has a CPU reservation or limit
    int vcpus_on = 0;      // vCPUs powered on in its subtree, all hosts
  };
  struct Vm {
    VmCpu cpu;
    std::optional<HostId> running;  // the host model running it
    int pool = -1;                  // its pool where it runs
    double trace_mhz = 0.0;         // host frequency its trace cursors were built for, 0: none
  };

  void enter(VmId v, HostId host) {
    Vm& vm = vms_[v];
    set_trace_host(v, static_cast<int>(host));
    vm.pool = pool_on_host(ctx_.config, ctx_.config.vms[v].pool_id, static_cast<int>(host));
    for (int p = vm.pool; p >= 0; p = parent(p)) pools_[static_cast<std::size_t>(p)].vcpus_on += vm.cpu.vcpus;
    refresh_pools(host);
    hosts_[host]->add_vm(vm.cpu);
    vm.running = host;
    mark_cluster_pools(v);
  }

  void leave(VmId v) {
    Vm& vm = vms_[v];
    const HostId host = *vm.running;
    hosts_[host]->remove_vm(vm.cpu);
    vm.running.reset();
    for (int p = vm.pool; p >= 0; p = parent(p)) pools_[static_cast<std::size_t>(p)].vcpus_on -= vm.cpu.vcpus;
    refresh_pools(host);
    mark_cluster_pools(v);
  }

  void set_speed(VmId v, double factor) {
    Vm& vm = vms_[v];
    if (vm.running) {
      hosts_[*vm.running]->set_speed(vm.cpu, factor);
    } else {
      vm.cpu.speed = factor;  // read by add_vm
    }
  }

  [[nodiscard]] int parent(int pool) const { return ctx_.config.pools[static_cast<std::size_t>(pool)].parent_id; }

  /// Where a VM is expected to run first: whose frequency its trace is read for when the
  /// run is built (enter reads it again for the host it lands on).
  [[nodiscard]] int first_host(const VmConfig& vm) const {
    if (!vm.host.empty()) return vm.host_id;
    for (std::size_t h = 0; h < ctx_.config.hosts.size(); ++h) {
      if (vm.cluster.empty() || (vm.cluster_id >= 0 && ctx_.config.hosts[h].cluster_id == vm.cluster_id)) {
        return static_cast<int>(h);
      }
    }
    return ctx_.config.hosts.empty() ? -1 : 0;
  }

  void set_trace_host(VmId v, int host) {
    Vm& vm = vms_[v];
    const auto* spec = std::get_if<TraceCpu>(&ctx_.config.vms[v].cpu_workload);
    if (spec == nullptr || host < 0) return;
    // A trace in MHz is demand per vCPU as a fraction of this host's cores.
    const double mhz = ctx_.config.hosts[static_cast<std::size_t>(host)].cpu.frequency_mhz;
    if (vm.trace_mhz == mhz) return;
    const trace::TraceCursor cursor = trace::make_cpu_cursor(ctx_.traces, *spec, vm.cpu.vcpus, mhz);
    for (auto& g : vm.cpu.generators) g.set_trace(cursor);
    vm.trace_mhz = mhz;
  }

  /// Rebuilds the pools of a host's entitlement tree from the VMs running there.
  void refresh_pools(HostId host) {
    const ScenarioConfig& config = ctx_.config;
    const std::vector<VmId>& here = ctx_.state.hosts[host].vms;
    std::vector<PoolSpec> specs;
    if (!pools_.empty()) {
      std::vector<int> local(pools_.size(), 0);
      for (const VmId v : here) {
        for (int p = vms_[v].pool; p >= 0; p = parent(p)) local[static_cast<std::size_t>(p)] += vms_[v].cpu.vcpus;
      }
      std::vector<int> slot(pools_.size(), -1);
      for (const std::size_t p : config.pool_order) {
        if (local[p] == 0) continue;
        const PoolConfig& pc = config.pools[p];
        // A cluster's pool is split among its hosts in proportion to its vCPUs on each
        // (DRS divides pool entitlements per host, reference C.1).
        const double share = pc.root_cluster >= 0
                                 ? static_cast<double>(local[p]) / std::max(1, pools_[p].vcpus_on)
                                 : 1.0;
        PoolSpec s;
        s.parent = pc.parent_id >= 0 ? slot[static_cast<std::size_t>(pc.parent_id)] : -1;
        s.shares = cpu_shares(pc.cpu, 4);  // pools count as 4 vCPUs (reference A.1)
        s.reservation_mhz = pc.cpu.reservation * share;
        if (pc.cpu.limit) s.limit_mhz = *pc.cpu.limit * share;
        slot[p] = static_cast<int>(specs.size());
        specs.push_back(s);
      }
      for (const VmId v : here) {
        const int p = vms_[v].pool;
        vms_[v].cpu.pool = p >= 0 ? slot[static_cast<std::size_t>(p)] : -1;
      }
    }
    hosts_[host]->set_pools(std::move(specs));
  }

  /// A VM of a bounded cluster pool came or went: the pool's share on every host of the
  /// cluster moves, applied once the instant's events ran.
  void mark_cluster_pools(VmId v) {
    const int p = vms_[v].pool;
    if (p < 0) return;
    const PoolConfig& pc = ctx_.config.pools[static_cast<std::size_t>(p)];
    if (pc.root_cluster < 0 || !pools_[static_cast<std::size_t>(p)].bounded) return;
    for (HostId h = 0; h < hosts_.size(); ++h) {
      if (ctx_.config.hosts[h].cluster_id == pc.root_cluster && !ctx_.state.hosts[h].vms.empty()) marked_[h] = true;
    }
    if (!refresh_pending_) {
      refresh_pending_ = true;
      ctx_.sim.at(ctx_.sim.now(), [this] { refresh_marked(); }, end_of_step);
    }
  }

  void refresh_marked() {
    refresh_pending_ = false;
    for (HostId h = 0; h < hosts_.size(); ++h) {
      if (!marked_[h]) continue;
      marked_[h] = false;
      refresh_pools(h);
    }
  }

  AreaContext ctx_;
  CpuParameters params_;
  GrantedCores granted_cores_;
  // The run's co-stop chains: a share then depends on the run alone, not on what other
  // runs in the process (a sweep's) solved before it.
  CostopChainCache chains_;
  std::vector<std::unique_ptr<HostCpuModel>> hosts_;
  std::vector<Pool> pools_;
  std::vector<Vm> vms_;
  std::vector<bool> marked_;  // hosts whose pools to refresh at the end of the step
  bool refresh_pending_ = false;
};

template <typename Model>
std::unique_ptr<Area> make_area(const AreaContext& ctx) {
  constexpr bool detailed = std::is_same_v<Model, DetailedHostCpu>;
  return std::make_unique<CpuArea>(ctx, &make_host<Model>, detailed ? &detailed_granted_cores : &fluid_granted_cores);
}

constexpr std::array<std::string_view, 1> depends_on{"memory"};

constexpr std::array<MetricSpec, 11> metrics{{
    {EntityKind::host, metric::host_cpu_used_mhz, "MHz", "CPU the host's VMs use"},
    {EntityKind::host, metric::host_cpu_demand_mhz, "MHz", "CPU the host's VMs demand"},
    {EntityKind::host, metric::host_cpu_granted_capacity_mhz, "MHz",
     "capacity granted with every logical CPU busy: cores x the hyperthreading gain (constant)"},
    {EntityKind::vm, metric::vm_cpu_run, "fraction", "share of the vCPUs running (%RUN per vCPU)"},
    {EntityKind::vm, metric::vm_cpu_ready, "fraction", "share of the vCPUs ready, not scheduled (%RDY per vCPU)"},
    {EntityKind::vm, metric::vm_cpu_costop, "fraction", "share of the vCPUs co-stopped (%CSTP per vCPU)"},
    {EntityKind::vm, metric::vm_cpu_wait, "fraction", "share of the vCPUs idle or waiting (%WAIT per vCPU)"},
    {EntityKind::vm, metric::vm_cpu_used_mhz, "MHz", "CPU the VM gets"},
    {EntityKind::vm, metric::vm_cpu_demand_mhz, "MHz", "CPU the VM's workload asks for"},
    {EntityKind::vm, metric::vm_cpu_entitlement_mhz, "MHz", "what shares, reservation and limit entitle it to"},
    {EntityKind::vm, metric::vm_cpu_tasks_completed, "tasks", "tasks of a tasks workload completed (counter)"},
}};

constexpr std::array<SeriesGroup, 2> series{{
    {"cpu.hosts", EntityKind::host, 2, 0, metric::host_cpu_used_mhz, "CPU"},
    {"cpu.vm_states", EntityKind::vm, 4, 1, metric::vm_cpu_ready, "CPU state"},
}};

constexpr std::string_view description =
    "vCPU scheduling: shares, reservations, limits, resource pools, co-stop, hyperthreads, NUMA; fluid and "
    "detailed fidelities";

constexpr std::string_view scenario_keys =
    "fidelity; vm_profiles and vms: vcpus, cpu.shares, cpu.reservation, cpu.limit; resource_pools: cpu; "
    "events: power_on, power_off, migrate; parameters: cpu.*";
constexpr std::string_view docs = "docs/models.md \"CPU\"; docs/scenario.md \"Allocations\"";

/// A host's CPU model reads only its own VMs; resource pools may span hosts (a pool's
/// vCPUs powered on and its reservations are counted over all of them).
bool host_local(const ScenarioConfig& config) { return config.pools.empty(); }

constexpr std::array<AreaSpec, 2> specs{{
    {"cpu", "fluid", description, scenario_keys, docs, depends_on, metrics, series, &cpu_parameters,
     &make_area<FluidHostCpu>, &report_spec, nullptr, &host_local},
    {"cpu", "detailed", description, scenario_keys, docs, depends_on, metrics, series, &cpu_parameters,
     &make_area<DetailedHostCpu>, &report_spec, nullptr, &host_local},
}};

}  // namespace

std::span<const AreaSpec> area_specs() { return specs; }

}  // namespace vdc::models::cpu
