// Warnings for VMs that can never power on where they are placed: what admission control
// refuses whatever else runs (docs/scenario.md, "Warnings").
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sections.hpp"
#include "vdc/models/admission.hpp"
#include "vdc/models/memory/memory_rules.hpp"

namespace vdc::scenario::detail {

namespace {

/// A VM's demands that do not depend on its host: what admission checks against a host.
struct Demand {
  int vcpus = 1;
  double cpu_mhz = 0.0;       ///< CPU reservation
  double mem_mib = 0.0;       ///< memory reservation, at most the configured memory
  double overhead_mib = 0.0;  ///< overhead memory, reserved with it (reference B.1.9)
};

/// What a VM can never have on one host, each check as the models make it, on an empty
/// host: a VM that passes all three may still be refused, one that fails one never powers on.
struct HostFit {
  bool lcpus = true;
  bool cpu = true;
  bool memory = true;
  [[nodiscard]] bool any_fails() const { return !lcpus || !cpu || !memory; }
};

/// The admission ledgers' relative tolerance (models/admission.cpp): an exact fit fits.
bool fits(double amount, double capacity) {
  return amount <= capacity + 1e-9 * std::max(1.0, amount);
}

/// Adds pool `i` (and its parents first) to `ledger` under `root`; returns its node.
models::ReservationLedger::NodeId add_pool(const Context& ctx, std::size_t i,
                                           models::ReservationLedger& ledger,
                                           models::ReservationLedger::NodeId root,
                                           std::vector<std::optional<models::ReservationLedger::NodeId>>& nodes,
                                           std::size_t depth) {
  if (nodes[i]) return *nodes[i];
  const models::PoolConfig& p = ctx.config.pools[i];
  models::ReservationLedger::NodeId parent = root;
  if (p.parent_kind == models::PoolParentKind::pool && depth <= ctx.config.pools.size()) {
    if (const auto up = ctx.pools.find(p.parent)) parent = add_pool(ctx, *up, ledger, root, nodes, depth + 1);
  }
  nodes[i] = ledger.add_pool(parent, p.name, p.cpu.reservation, p.cpu.expandable);
  return *nodes[i];
}

/// The most CPU reservation that can ever be admitted for `vm` on `host`: the host's
/// capacity, unless its pool hangs from the host itself. Such a pool lends what it
/// reserves, and through expandable reservations what its parents can spare, and the host
/// is not checked besides (models/datacenter_run.cpp, needs_host_check): its availability in
/// the host's ledger of pools, with no VM charged, bounds every later one. A pool under a
/// cluster is checked against the host as well.
double cpu_bound(const Context& ctx, const models::VmConfig& vm, const models::HostConfig& host) {
  const double capacity = host.cpu.capacity_mhz();
  if (vm.pool.empty()) return capacity;
  const auto pool = ctx.pools.find(vm.pool);
  if (!pool || ctx.pool_roots[*pool].kind != models::PoolParentKind::host ||
      ctx.pool_roots[*pool].name != host.name) {
    return capacity;
  }
  models::ReservationLedger ledger(models::cpu_reservations);
  const auto root = ledger.add_root("host", host.name, capacity);
  std::vector<std::optional<models::ReservationLedger::NodeId>> nodes(ctx.config.pools.size());
  for (std::size_t i = 0; i < ctx.config.pools.size(); ++i) {
    const PoolRoot& r = ctx.pool_roots[i];
    if (r.kind == models::PoolParentKind::host && r.name == host.name) {
      add_pool(ctx, i, ledger, root, nodes, 0);
    }
  }
  return ledger.available(*nodes[*pool]);
}

HostFit fit_on(const Context& ctx, const Demand& d, const models::VmConfig& vm,
               const models::HostConfig& host) {
  HostFit f;
  f.lcpus = d.vcpus <= host.cpu.lcpus();
  // Warned about only above the host's capacity too, which is what the warning says.
  f.cpu = d.cpu_mhz <= 0.0 || fits(d.cpu_mhz, host.cpu.capacity_mhz()) ||
          fits(d.cpu_mhz, cpu_bound(ctx, vm, host));
  // The host's memory model checks every VM against the host's memory, pools or not.
  f.memory = fits(d.mem_mib + d.overhead_mib, host.memory_mib);
  return f;
}

std::string mhz(double v) { return models::format_amount(v, 1) + " MHz"; }
std::string mib(double v) { return models::format_amount(v, 2) + " MiB"; }

/// "memory reservation 65536 MiB plus overhead 389.50 MiB", or the overhead alone.
std::string memory_demand(const Demand& d) {
  if (d.mem_mib <= 0.0) return fmt::format("memory overhead {}", mib(d.overhead_mib));
  return fmt::format("memory reservation {} plus overhead {}", mib(d.mem_mib), mib(d.overhead_mib));
}

}  // namespace

void warn_if_never_fits(Context& ctx, const NeverFitsSite& site, const models::VmConfig& vm) {
  Demand d;
  d.vcpus = vm.vcpus;
  d.cpu_mhz = vm.cpu.reservation;
  d.mem_mib = std::min(vm.mem.reservation, vm.memory_mib);
  d.overhead_mib = models::memory::overhead_mib(vm.memory_mib, vm.vcpus);
  const std::string who = site.count > 1
                              ? fmt::format("VMs '{}' ({} VMs) can never power on", site.name, site.count)
                              : fmt::format("VM '{}' can never power on", site.name);

  if (!vm.host.empty()) {
    const auto h = ctx.hosts.find(vm.host);
    if (!h) return;
    const models::HostConfig& host = ctx.config.hosts[*h];
    const HostFit f = fit_on(ctx, d, vm, host);
    if (!f.lcpus) {
      ctx.sink.warning(site.vcpus, fmt::format("{}: {} vCPUs exceed the {} logical CPUs of host '{}'",
                                               who, d.vcpus, host.cpu.lcpus(), host.name));
    }
    if (!f.cpu) {
      ctx.sink.warning(site.cpu_reservation,
                       fmt::format("{}: cpu reservation {} exceeds the capacity of host '{}', {} "
                                   "({} cores x {})",
                                   who, mhz(d.cpu_mhz), host.name, mhz(host.cpu.capacity_mhz()),
                                   host.cpu.pcpus(), mhz(host.cpu.frequency_mhz)));
    }
    if (!f.memory) {
      ctx.sink.warning(site.mem_reservation,
                       fmt::format("{}: {} exceeds the memory of host '{}', {}", who,
                                   memory_demand(d), host.name, mib(host.memory_mib)));
    }
    return;
  }

  // Placed by its cluster: it powers on on any host of the cluster that admits it.
  if (vm.cluster.empty()) return;
  const auto c = ctx.clusters.find(vm.cluster);
  if (!c) return;
  const models::ClusterConfig& cluster = ctx.config.clusters[*c];
  HostFit all{false, false, false};  // true: the check passes on some host
  bool some_host_fits = false;
  int max_lcpus = 0;
  double max_mhz = 0.0;
  double max_mib = 0.0;
  for (const std::string& name : cluster.hosts) {
    const auto h = ctx.hosts.find(name);
    if (!h) return;
    const models::HostConfig& host = ctx.config.hosts[*h];
    const HostFit f = fit_on(ctx, d, vm, host);
    all.lcpus = all.lcpus || f.lcpus;
    all.cpu = all.cpu || f.cpu;
    all.memory = all.memory || f.memory;
    some_host_fits = some_host_fits || !f.any_fails();
    max_lcpus = std::max(max_lcpus, host.cpu.lcpus());
    max_mhz = std::max(max_mhz, host.cpu.capacity_mhz());
    max_mib = std::max(max_mib, host.memory_mib);
  }
  if (some_host_fits || cluster.hosts.empty()) return;
  if (!all.lcpus) {
    ctx.sink.warning(site.vcpus,
                     fmt::format("{}: {} vCPUs exceed the logical CPUs of every host of cluster "
                                 "'{}' (at most {})",
                                 who, d.vcpus, cluster.name, max_lcpus));
  }
  if (!all.cpu) {
    ctx.sink.warning(site.cpu_reservation,
                     fmt::format("{}: cpu reservation {} exceeds the capacity of every host of "
                                 "cluster '{}' (at most {})",
                                 who, mhz(d.cpu_mhz), cluster.name, mhz(max_mhz)));
  }
  if (!all.memory) {
    ctx.sink.warning(site.mem_reservation,
                     fmt::format("{}: {} exceeds the memory of every host of cluster '{}' (at "
                                 "most {})",
                                 who, memory_demand(d), cluster.name, mib(max_mib)));
  }
  if (all.lcpus && all.cpu && all.memory) {
    ctx.sink.warning(site.entry,
                     fmt::format("{}: no host of cluster '{}' has at once the logical CPUs, the "
                                 "CPU capacity and the memory it reserves ({} vCPUs, cpu "
                                 "reservation {}, {})",
                                 who, cluster.name, d.vcpus, mhz(d.cpu_mhz), memory_demand(d)));
  }
}

}  // namespace vdc::scenario::detail
