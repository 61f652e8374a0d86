#include "datacenter_run.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "vdc/models/memory/memory_rules.hpp"
#include "vdc/models/metric_names.hpp"

namespace vdc::models {

namespace {

// Memory gauges are registered here with the run's series flags before the memory model
// registers them again. Host gauges: two CPU and the memory ones.
using metric::host_memory_gauges;
using metric::vm_memory_gauges;
constexpr std::size_t host_gauges = 2 + host_memory_gauges.size();
constexpr std::size_t vm_state_gauges = 4;
// Pool changes that move reservations between hosts are applied once all events of the
// same instant ran (larger priorities run later).
constexpr int end_of_step = 1000;

// The loader checks that every pool's parent exists; a config built otherwise fails here.
std::runtime_error missing_parent(const PoolConfig& pool, std::string_view kind) {
  return std::runtime_error(fmt::format("pool '{}': no {} '{}'", pool.name, kind, pool.parent));
}

}  // namespace

SeriesPlan plan_series(const ScenarioConfig& config, std::size_t budget_bytes) {
  const std::int64_t interval = std::max<std::int64_t>(1, config.sample_interval.ns());
  const auto samples = static_cast<std::size_t>(
      std::max<std::int64_t>(1, (config.duration.ns() + interval - 1) / interval));
  const std::size_t per_gauge = samples * sizeof(double);
  const std::size_t host_bytes = config.hosts.size() * host_gauges * per_gauge;
  const std::size_t vm_bytes = config.vms.size() * vm_state_gauges * per_gauge;
  const std::size_t vm_memory_bytes = config.vms.size() * vm_memory_gauges.size() * per_gauge;
  SeriesPlan plan;
  plan.hosts = host_bytes <= budget_bytes;
  plan.vm_states = plan.hosts && host_bytes + vm_bytes <= budget_bytes;
  plan.vm_memory = plan.vm_states && host_bytes + vm_bytes + vm_memory_bytes <= budget_bytes;
  return plan;
}

DatacenterRun::DatacenterRun(const ScenarioConfig& config, RunResult& result,
                             const SeriesPlan& series)
    : config_(config), result_(result), params_(cpu::CpuParameters::from(config.parameters)) {
  sim::MetricsRegistry& m = result_.metrics;
  for (const ClusterConfig& c : config_.clusters) {
    cluster_ledger_.push_back(add_ledger_root("cluster", c.name, {}));
  }
  for (const HostConfig& hc : config_.hosts) {
    Host h;
    h.cfg = &hc;
    for (std::size_t c = 0; c < config_.clusters.size(); ++c) {
      const ClusterConfig& cc = config_.clusters[c];
      if (cc.name == hc.cluster ||
          std::find(cc.hosts.begin(), cc.hosts.end(), hc.name) != cc.hosts.end()) {
        h.cluster = static_cast<int>(c);
      }
    }
    h.ledger = add_ledger_root("host", hc.name, Capacity{hc.cpu.capacity_mhz(), hc.memory_mib});
    h.cpu = cpu::make_host_cpu(config_.fidelity, sim_, m, hc, params_,
                               cpu::register_host_cpu_metrics(m, hc.name, series.hosts));
    const std::string e = metric::host_entity(hc.name);
    for (const std::string_view name : host_memory_gauges) m.gauge(e, name, series.hosts);
    hosts_.push_back(std::move(h));
  }
  for (std::size_t c = 0; c < cluster_ledger_.size(); ++c) {
    set_ledger_capacity(cluster_ledger_[c], cluster_capacity(static_cast<int>(c)));
  }
  marked_.assign(hosts_.size(), false);
  build_pools();

  vms_.reserve(config_.vms.size());
  for (const VmConfig& vc : config_.vms) {
    Vm vm;
    vm.cfg = &vc;
    // What admission reserves for its memory, as the host does (reference B.1.9).
    vm.mem_reservation = std::min(vc.mem.reservation, vc.memory_mib);
    vm.mem_overhead = memory::overhead_mib(vc.memory_mib, vc.vcpus);
    vm.cpu = cpu::make_vm_cpu(vc, config_.seed, params_,
                              cpu::register_vm_cpu_metrics(m, vc.name, series.vm_states));
    // Every VM has memory gauges, even one that never powers on.
    const std::string e = metric::vm_entity(vc.name);
    for (const std::string_view name : vm_memory_gauges) m.gauge(e, name, series.vm_memory);
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      if (pools_[p].cfg->name == vc.pool) vm.home_pool = static_cast<int>(p);
    }
    cpu::publish_powered_off(m, vm.cpu.metrics, sim_.now());
    vms_.push_back(std::move(vm));
  }

  memory_ = std::make_unique<memory::MemoryModel>(sim_, config_.parameters, &m);
  memory_->set_progress_listener([this](memory::VmRef ref, double p) { on_progress(ref, p); });
  for (Host& h : hosts_) h.memory = memory_->add_host(*h.cfg);

  // Trace files are read now, so that a bad one fails the run before it starts.
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    set_trace_host(i, first_host(*vms_[i].cfg));
    start_memory_trace(i);
  }
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    if (vms_[i].cfg->powered_on) power_on(i);
  }
  schedule_events();
}

DatacenterRun::~DatacenterRun() = default;

ReservationLedger::NodeId DatacenterRun::add_ledger_root(const std::string& kind,
                                                              const std::string& name,
                                                              Capacity capacity) {
  const auto id = ledger_.add_root(kind, name, capacity.mhz);
  [[maybe_unused]] const auto mem = mem_ledger_.add_root(kind, name, capacity.mib);
  assert(mem == id);
  return id;
}

void DatacenterRun::set_ledger_capacity(ReservationLedger::NodeId root, Capacity capacity) {
  ledger_.set_capacity(root, capacity.mhz);
  mem_ledger_.set_capacity(root, capacity.mib);
}

DatacenterRun::Capacity DatacenterRun::cluster_capacity(int cluster) const {
  Capacity total;
  for (const Host& h : hosts_) {
    if (h.cluster != cluster || !h.up) continue;
    total.mhz += h.cfg->cpu.capacity_mhz();
    total.mib += h.cfg->memory_mib;
  }
  return total;
}

int DatacenterRun::host_index(const std::string& name) const {
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    if (hosts_[i].cfg->name == name) return static_cast<int>(i);
  }
  return -1;
}

int DatacenterRun::vm_index(const std::string& name) const {
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    if (vms_[i].cfg->name == name) return static_cast<int>(i);
  }
  return -1;
}

// ---- Resource pools --------------------------------------------------------------------

void DatacenterRun::build_pools() {
  pools_.resize(config_.pools.size());
  std::vector<int> state(pools_.size(), 0);
  for (std::size_t i = 0; i < pools_.size(); ++i) resolve_pool(i, state);
}

int DatacenterRun::resolve_pool(std::size_t i, std::vector<int>& state) {
  if (state[i] == 2) return static_cast<int>(i);
  const PoolConfig& pc = config_.pools[i];
  if (state[i] == 1) throw std::runtime_error(fmt::format("resource pool cycle at '{}'", pc.name));
  state[i] = 1;
  Pool p;
  p.cfg = &pc;
  ReservationLedger::NodeId parent = 0;
  switch (pc.parent_kind) {
    case PoolParentKind::host: {
      p.host = host_index(pc.parent);
      if (p.host < 0) throw missing_parent(pc, "host");
      parent = hosts_[static_cast<std::size_t>(p.host)].ledger;
      break;
    }
    case PoolParentKind::cluster: {
      for (std::size_t c = 0; c < config_.clusters.size(); ++c) {
        if (config_.clusters[c].name == pc.parent) p.cluster = static_cast<int>(c);
      }
      if (p.cluster < 0) throw missing_parent(pc, "cluster");
      parent = cluster_ledger_[static_cast<std::size_t>(p.cluster)];
      break;
    }
    case PoolParentKind::pool: {
      std::size_t j = 0;
      while (j < config_.pools.size() && config_.pools[j].name != pc.parent) ++j;
      if (j == config_.pools.size()) throw missing_parent(pc, "pool");
      p.parent = resolve_pool(j, state);
      const Pool& up = pools_[j];
      p.host = up.host;
      p.cluster = up.cluster;
      p.bounded = up.bounded;
      parent = up.ledger;
      break;
    }
  }
  p.bounded = p.bounded || pc.cpu.reservation > 0.0 || pc.cpu.limit.has_value();
  p.ledger = ledger_.add_pool(parent, pc.name, pc.cpu.reservation, pc.cpu.expandable);
  [[maybe_unused]] const auto mem =
      mem_ledger_.add_pool(parent, pc.name, pc.mem.reservation, pc.mem.expandable);
  assert(mem == p.ledger);
  pools_[i] = p;
  pool_order_.push_back(i);
  state[i] = 2;
  return static_cast<int>(i);
}

int DatacenterRun::pool_for_host(int pool, int host) const {
  if (pool < 0) return -1;
  const Pool& p = pools_[static_cast<std::size_t>(pool)];
  const Host& h = hosts_[static_cast<std::size_t>(host)];
  if (p.host == host || (p.cluster >= 0 && p.cluster == h.cluster)) return pool;
  return -1;
}

bool DatacenterRun::needs_host_check(int pool, int host) const {
  // A host in a cluster has its own capacity besides the cluster's; a pool of the host
  // itself already draws on it.
  return hosts_[static_cast<std::size_t>(host)].cluster >= 0 &&
         (pool < 0 || pools_[static_cast<std::size_t>(pool)].host < 0);
}

ReservationLedger::NodeId DatacenterRun::ledger_node(int pool, int host) const {
  if (pool >= 0) return pools_[static_cast<std::size_t>(pool)].ledger;
  const Host& h = hosts_[static_cast<std::size_t>(host)];
  return h.cluster >= 0 ? cluster_ledger_[static_cast<std::size_t>(h.cluster)] : h.ledger;
}

void DatacenterRun::refresh_pools(int host) {
  Host& h = hosts_[static_cast<std::size_t>(host)];
  std::vector<cpu::PoolSpec> specs;
  if (!pools_.empty()) {
    std::vector<int> local(pools_.size(), 0);
    for (const std::size_t v : h.vms) {
      for (int p = vms_[v].pool; p >= 0; p = pools_[static_cast<std::size_t>(p)].parent) {
        local[static_cast<std::size_t>(p)] += vms_[v].cpu.vcpus;
      }
    }
    std::vector<int> slot(pools_.size(), -1);
    for (const std::size_t p : pool_order_) {
      if (local[p] == 0) continue;
      const Pool& pool = pools_[p];
      // A cluster's pool is split among its hosts in proportion to its vCPUs on each
      // (DRS divides pool entitlements per host, reference C.1).
      const double share =
          pool.cluster >= 0 ? static_cast<double>(local[p]) / std::max(1, pool.vcpus_on) : 1.0;
      cpu::PoolSpec s;
      s.parent = pool.parent >= 0 ? slot[static_cast<std::size_t>(pool.parent)] : -1;
      s.shares = cpu_shares(pool.cfg->cpu, 4);  // pools count as 4 vCPUs (reference A.1)
      s.reservation_mhz = pool.cfg->cpu.reservation * share;
      if (pool.cfg->cpu.limit) s.limit_mhz = *pool.cfg->cpu.limit * share;
      slot[p] = static_cast<int>(specs.size());
      specs.push_back(s);
    }
    for (const std::size_t v : h.vms) {
      const int p = vms_[v].pool;
      vms_[v].cpu.pool = p >= 0 ? slot[static_cast<std::size_t>(p)] : -1;
    }
  }
  h.cpu->set_pools(std::move(specs));
}

void DatacenterRun::mark_cluster_pools(std::size_t vm) {
  const int p = vms_[vm].pool;
  if (p < 0) return;
  const Pool& pool = pools_[static_cast<std::size_t>(p)];
  if (pool.cluster < 0 || !pool.bounded) return;
  for (std::size_t h = 0; h < hosts_.size(); ++h) {
    if (hosts_[h].cluster == pool.cluster && !hosts_[h].vms.empty()) marked_[h] = true;
  }
  if (!refresh_pending_) {
    refresh_pending_ = true;
    sim_.at(sim_.now(), [this] { refresh_marked(); }, end_of_step);
  }
}

void DatacenterRun::refresh_marked() {
  refresh_pending_ = false;
  for (std::size_t h = 0; h < hosts_.size(); ++h) {
    if (!marked_[h]) continue;
    marked_[h] = false;
    refresh_pools(static_cast<int>(h));
  }
}

// ---- Facts -------------------------------------------------------------------------------

void DatacenterRun::finish(sim::Time end) {
  for (Host& h : hosts_) h.cpu->finish(end);
  memory_->finish();
  for (const Host& h : hosts_) {
    HostFacts f;
    f.name = h.cfg->name;
    f.cluster = h.cluster >= 0 ? config_.clusters[static_cast<std::size_t>(h.cluster)].name
                               : h.cfg->cluster;
    f.pcpus = h.cfg->cpu.pcpus();
    f.lcpus = h.cfg->cpu.lcpus();
    f.capacity_mhz = h.cfg->cpu.capacity_mhz();
    f.memory_mib = h.cfg->memory_mib;
    f.min_free_mib = memory_->host(h.memory).min_free_mib();
    for (const std::size_t v : h.vms) f.vcpus += vms_[v].cpu.vcpus;
    result_.hosts.push_back(std::move(f));
  }
  for (const Vm& vm : vms_) {
    VmFacts f;
    f.name = vm.cfg->name;
    if (vm.host >= 0) {
      const Host& h = hosts_[static_cast<std::size_t>(vm.host)];
      f.host = h.cfg->name;
      f.cluster = h.cluster >= 0 ? config_.clusters[static_cast<std::size_t>(h.cluster)].name
                                 : h.cfg->cluster;
    } else {
      f.cluster = vm.cfg->cluster;
    }
    f.vcpus = vm.cpu.vcpus;
    f.memory_mib = vm.cfg->memory_mib;
    f.powered_on = vm.on;
    if (!vm.on) f.admission = vm.admission;
    f.cpu_reservation_mhz = vm.cfg->cpu.reservation;
    f.mem_reservation_mib = vm.cfg->mem.reservation;
    result_.vms.push_back(std::move(f));
  }
}

}  // namespace vdc::models
