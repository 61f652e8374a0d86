// The memory area: include/vdc/models/memory/memory_area.hpp.
#include "vdc/models/memory/memory_area.hpp"

#include <array>
#include <cassert>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "vdc/models/memory/memory_model.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/trace/trace_cache.hpp"

namespace vdc::models::memory {
namespace {

// Pool limits that move between hosts are applied once all events of the same instant ran
// (larger priorities run later), as the CPU area does.
constexpr int end_of_step = 1000;

/// A resource pool's memory shares: its level counts as a VM of 16 GB (reference A.1),
/// a custom number as given.
constexpr double pool_share_mib = 16384.0;

class MemoryArea final : public Area {
 public:
  explicit MemoryArea(const AreaContext& ctx)
      : ctx_(ctx), progress_(ctx.signals.get<ProgressChanged>()) {
    // Registered here with the run's series flags before the model registers them again
    // (the first registration of a gauge decides whether it keeps a series).
    const bool host_series = ctx.series.keeps("memory.hosts");
    const bool vm_series = ctx.series.keeps("memory.vms");
    for (const HostConfig& h : ctx.config.hosts) {
      const std::string e = metric::host_entity(h.name);
      for (const std::string_view name : metric::host_memory_gauges) ctx.metrics.gauge(e, name, host_series);
    }
    // Every VM has memory gauges, even one that never powers on; the model writes them
    // through these ids at each power-on.
    vm_gauges_.resize(ctx.config.vms.size());
    for (VmId v = 0; v < ctx.config.vms.size(); ++v) {
      const std::string e = metric::vm_entity(ctx.config.vms[v].name);
      for (std::size_t i = 0; i < metric::vm_memory_gauges.size(); ++i) {
        vm_gauges_[v][i] = ctx.metrics.gauge(e, metric::vm_memory_gauges[i], vm_series);
      }
    }
    model_ = std::make_unique<MemoryModel>(ctx.sim, ctx.config.parameters, &ctx.metrics);
    model_->set_progress_listener([this](VmRef ref, double p) { on_progress(ref, p); });
    vm_of_handle_.resize(ctx.config.hosts.size());
    // Memory host ids are host indices: every host is added in order.
    for (HostId h = 0; h < ctx.config.hosts.size(); ++h) {
      model_->add_host(ctx.config.hosts[h]);
      ctx.metrics.set(ctx.metrics.gauge(metric::host_entity(ctx.config.hosts[h].name), metric::host_mem_min_free_mib),
                      ctx.sim.now(), model_->host(static_cast<MemoryModel::HostId>(h)).min_free_mib());
    }
    set_up_pools();
    vms_.resize(ctx.config.vms.size());
    // Trace files are read now, so that a bad one fails the run before it starts.
    for (VmId v = 0; v < vms_.size(); ++v) start_trace(v);
  }

  std::optional<std::string> refusal(VmId vm, HostId host) const override {
    // The ledgers have already checked the VM's reservation, unless the reservations of
    // the host's pools exceed its memory (the loader refuses such pools; a configuration
    // built in code may have them); the host's memory model refuses it then.
    return model_->host(static_cast<MemoryModel::HostId>(host)).admission_refusal(ctx_.config.vms[vm]);
  }

  void power_on(VmId vm, HostId host) override { start(vm, host, 0.0, 0.0); }


  void power_off(VmId vm) override { stop(vm); }

  void depart(VmId vm, HostId) override {
    // The guest arrives with the memory it had touched, still touching toward the same
    // target (docs/memory.md "First touch").
    const VmMemoryStats guest = model_->vm_stats_now(*vms_[vm].ref);
    vms_[vm].touched_mib = guest.touched_mib;
    vms_[vm].touch_target_mib = guest.touch_target_mib;
    stop(vm);
  }

  void arrive(VmId vm, HostId to) override { start(vm, to, vms_[vm].touched_mib, vms_[vm].touch_target_mib); }

  void finish(sim::Time, RunResult&) override { model_->finish(); }

 private:
  struct Vm {
    std::optional<VmRef> ref;                         // while on
    int pool = -1;                                    // its pool where it runs, -1: none
    std::optional<trace::TraceCursor> trace;          // active MiB, when its trace has memory
    double touched_mib = 0.0;                         // carried by a migration
    double touch_target_mib = 0.0;
  };

  void start(VmId v, HostId host, double touched_mib, double touch_target_mib) {
    Vm& vm = vms_[v];
    vm.pool = pools_.empty() ? -1 : pool_on_host(ctx_.config, ctx_.config.vms[v].pool_id, static_cast<int>(host));
    const PoolSlot slot = vm.pool >= 0 ? pools_[static_cast<std::size_t>(vm.pool)].slot : no_pool;
    const ModelPowerOn on = model_->power_on(static_cast<MemoryModel::HostId>(host), ctx_.config.vms[v],
                                             touched_mib, touch_target_mib, slot, &vm_gauges_[v]);
    count_pools(v, host, +1.0);
    assert(on.vm.has_value() && "memory admission is checked before a VM starts");
    vm.ref = on.vm;
    auto& handles = vm_of_handle_[host];
    if (handles.size() <= on.vm->vm) handles.resize(on.vm->vm + 1);
    handles[on.vm->vm] = v;
    if (vm.trace) model_->set_active(*vm.ref, vm.trace->value_at(ctx_.sim.now()));
    progress_.emit(ProgressChanged{v, model_->progress_factor(*vm.ref)});
  }

  void stop(VmId v) {
    Vm& vm = vms_[v];
    count_pools(v, vm.ref->host, -1.0);
    model_->power_off(*vm.ref);
    vm.ref.reset();
    vm.pool = -1;
  }

  /// Gives every host the resource pools that can hold its VMs: its cluster's, then its
  /// own, each at the same slot on every host of its tree (parents before children).
  void set_up_pools() {
    const ScenarioConfig& config = ctx_.config;
    if (config.pools.empty()) return;
    pools_.resize(config.pools.size());
    std::vector<std::int32_t> cluster_count(config.clusters.size(), 0);
    std::vector<std::int32_t> host_count(config.hosts.size(), 0);
    for (const std::size_t p : config.pool_order) {
      const PoolConfig& pc = config.pools[p];
      if (pc.root_cluster >= 0) pools_[p].slot = cluster_count[static_cast<std::size_t>(pc.root_cluster)]++;
    }
    for (const std::size_t p : config.pool_order) {
      const PoolConfig& pc = config.pools[p];
      if (pc.root_host < 0) continue;
      const int cluster = config.hosts[static_cast<std::size_t>(pc.root_host)].cluster_id;
      pools_[p].slot = (cluster >= 0 ? cluster_count[static_cast<std::size_t>(cluster)] : 0) +
                       host_count[static_cast<std::size_t>(pc.root_host)]++;
    }
    mem_here_.resize(config.hosts.size());
    for (HostId h = 0; h < config.hosts.size(); ++h) {
      const int cluster = config.hosts[h].cluster_id;
      std::vector<MemoryPool> list(static_cast<std::size_t>(
          (cluster >= 0 ? cluster_count[static_cast<std::size_t>(cluster)] : 0) + host_count[h]));
      if (list.empty()) continue;
      for (const std::size_t p : config.pool_order) {
        const PoolConfig& pc = config.pools[p];
        const bool here = pc.root_host == static_cast<int>(h) || (cluster >= 0 && pc.root_cluster == cluster);
        if (!here) continue;
        MemoryPool& mp = list[static_cast<std::size_t>(pools_[p].slot)];
        mp.parent = pc.parent_id >= 0 ? pools_[static_cast<std::size_t>(pc.parent_id)].slot : no_pool;
        mp.shares = mem_shares(pc.mem, pool_share_mib);
        // A host's pool has its whole limit here; a cluster's pool its part, set as its
        // VMs power on (refresh_limits).
        if (pc.root_host >= 0 && pc.mem.limit) mp.limit_mib = *pc.mem.limit;
      }
      mem_here_[h].assign(list.size(), 0.0);
      model_->set_pools(static_cast<MemoryModel::HostId>(h), std::move(list));
    }
  }

  /// Counts the memory of VM `v`, entering (+1) or leaving (-1) `host`, in its pools; a
  /// limited cluster pool whose total moves has its parts of the limit set again.
  void count_pools(VmId v, HostId host, double sign) {
    const double mib = sign * ctx_.config.vms[v].memory_mib;
    for (int p = vms_[v].pool; p >= 0; p = ctx_.config.pools[static_cast<std::size_t>(p)].parent_id) {
      Pool& pool = pools_[static_cast<std::size_t>(p)];
      const PoolConfig& pc = ctx_.config.pools[static_cast<std::size_t>(p)];
      mem_here_[host][static_cast<std::size_t>(pool.slot)] += mib;
      pool.mem_on += mib;
      if (pc.root_cluster < 0 || !pc.mem.limit || pool.dirty) continue;
      pool.dirty = true;
      dirty_.push_back(static_cast<std::size_t>(p));
      if (dirty_.size() == 1) ctx_.sim.at(ctx_.sim.now(), [this] { refresh_limits(); }, end_of_step);
    }
  }

  /// A cluster's pool's limit is split among the cluster's hosts in proportion to the
  /// configured memory of its subtree's powered-on VMs on each (docs/memory.md "Resource
  /// pools"), as the CPU area splits its MHz by vCPUs.
  void refresh_limits() {
    const ScenarioConfig& config = ctx_.config;
    for (const std::size_t p : dirty_) {
      Pool& pool = pools_[p];
      pool.dirty = false;
      const PoolConfig& pc = config.pools[p];
      const auto slot = static_cast<std::size_t>(pool.slot);
      for (HostId h = 0; h < config.hosts.size(); ++h) {
        if (config.hosts[h].cluster_id != pc.root_cluster) continue;
        if (mem_here_[h].empty()) continue;
        // A host left without the pool's VMs drops its part, so a VM arriving there later
        // is not held to a stale one before the next refresh.
        const double here = mem_here_[h][slot];
        const double part = here > 0.0 && pool.mem_on > 0.0 ? *pc.mem.limit * here / pool.mem_on : MemoryPool{}.limit_mib;
        model_->set_pool_limit(static_cast<MemoryModel::HostId>(h), pool.slot, part);
      }
    }
    dirty_.clear();
  }

  void on_progress(VmRef ref, double progress) {
    const std::vector<VmId>& handles = vm_of_handle_[ref.host];
    if (ref.vm >= handles.size()) return;  // a VM still starting: start() publishes it
    const VmId v = handles[ref.vm];
    if (vms_[v].ref == ref) progress_.emit(ProgressChanged{v, progress});
  }

  void start_trace(VmId v) {
    const auto* spec = std::get_if<TraceCpu>(&ctx_.config.vms[v].cpu_workload);
    if (spec == nullptr || spec->memory_column.empty()) return;
    vms_[v].trace = trace::make_memory_cursor(ctx_.traces, *spec, ctx_.config.vms[v].memory_mib);
    // start() applies the value in force at power-on; these events apply each change after.
    schedule_sample(v);
  }

  void schedule_sample(VmId v) {
    const sim::Time next = vms_[v].trace->next_change(ctx_.sim.now());
    if (next <= ctx_.config.duration) ctx_.sim.at(next, [this, v] { on_sample(v); });
  }

  void on_sample(VmId v) {
    Vm& vm = vms_[v];
    const double active = vm.trace->value_at(ctx_.sim.now());
    if (vm.ref) model_->set_active(*vm.ref, active);
    schedule_sample(v);
  }

  struct Pool {
    PoolSlot slot = no_pool;  // its slot on the hosts of its tree
    double mem_on = 0.0;      // configured MiB of its subtree's powered-on VMs, all hosts
    bool dirty = false;       // its limit's parts wait for refresh_limits
  };

  AreaContext ctx_;
  sim::Signal<ProgressChanged>& progress_;
  std::vector<Pool> pools_;                    // by pool index; empty without pools
  std::vector<std::vector<double>> mem_here_;  // per host, per slot: its subtree's MiB there
  std::vector<std::size_t> dirty_;             // cluster pools whose limit parts moved
  std::unique_ptr<MemoryModel> model_;
  std::vector<std::vector<VmId>> vm_of_handle_;  // per host: memory model handle -> VM
  std::vector<Vm> vms_;
  std::vector<MemoryModel::VmGaugeIds> vm_gauges_;  // per VM, registered once
};

std::unique_ptr<Area> make(const AreaContext& ctx) { return std::make_unique<MemoryArea>(ctx); }

constexpr std::array<MetricSpec, 19> metrics{{
    {EntityKind::host, metric::host_mem_min_free_mib, "MiB", "minFree of the sliding scale (constant)"},
    {EntityKind::host, metric::host_mem_granted_mib, "MiB", "memory granted to the host's VMs"},
    {EntityKind::host, metric::host_mem_consumed_mib, "MiB", "host memory the VMs consume (granted less shared savings)"},
    {EntityKind::host, metric::host_mem_shared_saved_mib, "MiB", "memory saved by page sharing"},
    {EntityKind::host, metric::host_mem_balloon_mib, "MiB", "memory reclaimed by balloon drivers"},
    {EntityKind::host, metric::host_mem_compressed_mib, "MiB", "memory held compressed"},
    {EntityKind::host, metric::host_mem_swapped_mib, "MiB", "memory swapped to the host swap files"},
    {EntityKind::host, metric::host_mem_free_mib, "MiB", "free host memory"},
    {EntityKind::host, metric::host_mem_state_high, "", "1 while the host is in the high memory state"},
    {EntityKind::host, metric::host_mem_state_clear, "", "1 while in the clear state"},
    {EntityKind::host, metric::host_mem_state_soft, "", "1 while in the soft state"},
    {EntityKind::host, metric::host_mem_state_hard, "", "1 while in the hard state"},
    {EntityKind::host, metric::host_mem_state_low, "", "1 while in the low state"},
    {EntityKind::vm, metric::vm_mem_granted_mib, "MiB", "memory granted to the VM (GRANT)"},
    {EntityKind::vm, metric::vm_mem_active_mib, "MiB", "active memory (TCHD)"},
    {EntityKind::vm, metric::vm_mem_shared_mib, "MiB", "shared pages (SHRD)"},
    {EntityKind::vm, metric::vm_mem_balloon_mib, "MiB", "balloon size (MCTLSZ)"},
    {EntityKind::vm, metric::vm_mem_compressed_mib, "MiB", "compressed memory (ZIP)"},
    {EntityKind::vm, metric::vm_mem_swapped_mib, "MiB", "swapped memory (SWCUR)"},
}};
static_assert(metrics.size() == metric::host_memory_gauges.size() + metric::vm_memory_gauges.size() + 1);

constexpr std::array<SeriesGroup, 2> series{{
    {"memory.hosts", EntityKind::host, metric::host_memory_gauges.size(), 0, metric::host_mem_granted_mib, "memory"},
    {"memory.vms", EntityKind::vm, metric::vm_memory_gauges.size(), 2, metric::vm_mem_granted_mib, "memory"},
}};

/// A host's memory model reads only its own VMs; resource pools may span hosts.
bool host_local(const ScenarioConfig& config) { return config.pools.empty(); }

constexpr std::array<AreaSpec, 1> specs{{
    {"memory", "", "first touch, page sharing, ballooning, compression, host swap, minFree states",
     "vm_profiles and vms: memory, mem.shares, mem.reservation, mem.limit, mem.max_balloon, guest.os, "
     "guest.salt; hosts: memory, advanced: Mem.*; parameters: memory.*",
     "docs/memory.md; docs/scenario.md \"Allocations\"", {}, metrics, series, &parameters, &make, &report_spec,
     nullptr, &host_local},
}};

}  // namespace

std::span<const AreaSpec> area_specs() { return specs; }

}  // namespace vdc::models::memory
