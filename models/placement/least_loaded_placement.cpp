// The provisional placement (include/vdc/models/area.hpp): a VM's own host, or the least
// loaded host of its cluster; its CPU and memory reservations admitted through the host,
// cluster and resource-pool ledgers (include/vdc/models/admission.hpp).
#include <algorithm>
#include <cassert>

#include <fmt/format.h>

#include "vdc/models/admission.hpp"
#include "vdc/models/area.hpp"
#include "vdc/models/memory/memory_rules.hpp"

namespace vdc::models {
namespace {

class LeastLoadedPlacement final : public Placement {
 public:
  LeastLoadedPlacement(const ScenarioConfig& config, const RunState& state)
      : config_(config), state_(state) {
    for (const ClusterConfig& c : config_.clusters) cluster_root_.push_back(add_root("cluster", c.name, {}));
    for (const HostConfig& h : config_.hosts) {
      host_root_.push_back(add_root("host", h.name, Capacity{h.cpu.capacity_mhz(), h.memory_mib}));
    }
    host_up_.assign(config_.hosts.size(), true);
    for (std::size_t c = 0; c < cluster_root_.size(); ++c) {
      set_capacity(cluster_root_[c], cluster_capacity(static_cast<int>(c)));
    }
    // Pools in the order their ids were resolved: parents before children.
    pool_node_.assign(config_.pools.size(), 0);
    for (const std::size_t i : config_.pool_order) {
      const PoolConfig& pc = config_.pools[i];
      ReservationLedger::NodeId parent = 0;
      if (pc.parent_id >= 0) {
        parent = pool_node_[static_cast<std::size_t>(pc.parent_id)];
      } else if (pc.root_cluster >= 0) {
        parent = cluster_root_[static_cast<std::size_t>(pc.root_cluster)];
      } else {
        parent = host_root_[static_cast<std::size_t>(pc.root_host)];
      }
      pool_node_[i] = cpu_.add_pool(parent, pc.name, pc.cpu.reservation, pc.cpu.expandable);
      [[maybe_unused]] const auto mem = mem_.add_pool(parent, pc.name, pc.mem.reservation, pc.mem.expandable);
      assert(mem == pool_node_[i]);
    }
    vms_.resize(config_.vms.size());
    for (std::size_t v = 0; v < config_.vms.size(); ++v) {
      const VmConfig& vc = config_.vms[v];
      // What admission reserves for its memory, as the host does (reference B.1.9).
      vms_[v].mem_reservation = std::min(vc.mem.reservation, vc.memory_mib);
      vms_[v].mem_overhead = memory::overhead_mib(vc.memory_mib, vc.vcpus);
    }
  }

  std::vector<HostId> candidates(VmId v) const override {
    const VmConfig& vm = config_.vms[v];
    std::vector<HostId> out;
    if (!vm.host.empty()) {
      if (vm.host_id >= 0) out.push_back(static_cast<HostId>(vm.host_id));
      return out;
    }
    // Provisional initial placement until the cluster area places VMs: the least loaded
    // host (vCPUs per core) of its cluster, or of all hosts.
    for (std::size_t h = 0; h < config_.hosts.size(); ++h) {
      if (vm.cluster_id < 0 || config_.hosts[h].cluster_id == vm.cluster_id) out.push_back(h);
    }
    const auto load = [this](HostId h) {
      int vcpus = 0;
      for (const VmId i : state_.hosts[h].vms) vcpus += config_.vms[i].vcpus;
      return static_cast<double>(vcpus) / config_.hosts[h].cpu.pcpus();
    };
    std::stable_sort(out.begin(), out.end(), [&](HostId a, HostId b) { return load(a) < load(b); });
    return out;
  }

  std::optional<std::string> refusal(VmId v, HostId host) const override {
    const VmConfig& vm = config_.vms[v];
    const HostConfig& h = config_.hosts[host];
    if (!host_up_[host]) return fmt::format("host {} is down", h.name);
    if (vm.vcpus > h.cpu.lcpus()) {
      return fmt::format("{} vCPUs exceed the {} logical CPUs of host {}", vm.vcpus, h.cpu.lcpus(), h.name);
    }
    // Every check before any charge, so a refusal leaves nothing reserved. The CPU
    // reservation first, then the memory reservation with its overhead (reference B.1.9),
    // each where the VM sits (its pool, else its host or cluster) and, for a host in a
    // cluster, in the host itself.
    const Where w = where(v, host);
    const Vm& r = vms_[v];
    const double mhz = vm.cpu.reservation;
    if (auto why = cpu_.refusal(w.node, mhz)) return why;
    if (w.host_check) {
      if (auto why = cpu_.refusal(host_root_[host], mhz)) return why;
    }
    if (auto why = mem_.refusal(w.node, r.mem_reservation, r.mem_overhead)) return why;
    if (w.host_check) {
      if (auto why = mem_.refusal(host_root_[host], r.mem_reservation, r.mem_overhead)) return why;
    }
    return std::nullopt;
  }

  void charge(VmId v, HostId host) override {
    Vm& r = vms_[v];
    const Where w = where(v, host);
    const double mhz = config_.vms[v].cpu.reservation;
    const double mib = r.mem_reservation + r.mem_overhead;
    cpu_.charge(w.node, mhz);
    mem_.charge(w.node, mib);
    if (w.host_check) {
      cpu_.charge(host_root_[host], mhz);
      mem_.charge(host_root_[host], mib);
    }
    r.charged = w.node;
    r.host = host;
    r.host_charged = w.host_check;
  }

  void release(VmId v) override {
    const Vm& r = vms_[v];
    const double mhz = config_.vms[v].cpu.reservation;
    const double mib = r.mem_reservation + r.mem_overhead;
    cpu_.release(r.charged, mhz);
    mem_.release(r.charged, mib);
    if (r.host_charged) {
      cpu_.release(host_root_[r.host], mhz);
      mem_.release(host_root_[r.host], mib);
    }
  }

  void set_host_up(HostId host, bool up) override {
    host_up_[host] = up;
    const HostConfig& h = config_.hosts[host];
    set_capacity(host_root_[host], up ? Capacity{h.cpu.capacity_mhz(), h.memory_mib} : Capacity{});
    if (h.cluster_id >= 0) {
      set_capacity(cluster_root_[static_cast<std::size_t>(h.cluster_id)], cluster_capacity(h.cluster_id));
    }
  }

 private:
  /// Capacity of a ledger root.
  struct Capacity {
    double mhz = 0.0;
    double mib = 0.0;
  };
  /// What a VM reserves, and where it was charged.
  struct Vm {
    double mem_reservation = 0.0;  // memory reservation, at most its memory, MiB
    double mem_overhead = 0.0;     // static overhead reserved with it, MiB (reference B.7)
    ReservationLedger::NodeId charged = 0;
    HostId host = 0;
    bool host_charged = false;  // its host's own ledger root was charged too
  };
  /// Where a VM's reservations go on a host: its node, and whether the host's own root
  /// must also have room.
  struct Where {
    ReservationLedger::NodeId node = 0;
    bool host_check = false;
  };

  Where where(VmId v, HostId host) const {
    const int pool = pool_on_host(config_, config_.vms[v].pool_id, static_cast<int>(host));
    const int cluster = config_.hosts[host].cluster_id;
    Where w;
    if (pool >= 0) {
      w.node = pool_node_[static_cast<std::size_t>(pool)];
    } else {
      w.node = cluster >= 0 ? cluster_root_[static_cast<std::size_t>(cluster)] : host_root_[host];
    }
    // A host in a cluster has its own capacity besides the cluster's; a pool of the host
    // itself already draws on it.
    w.host_check = cluster >= 0 && (pool < 0 || config_.pools[static_cast<std::size_t>(pool)].root_host < 0);
    return w;
  }

  ReservationLedger::NodeId add_root(const std::string& kind, const std::string& name, Capacity capacity) {
    const auto id = cpu_.add_root(kind, name, capacity.mhz);
    [[maybe_unused]] const auto mem = mem_.add_root(kind, name, capacity.mib);
    assert(mem == id);
    return id;
  }

  void set_capacity(ReservationLedger::NodeId root, Capacity capacity) {
    cpu_.set_capacity(root, capacity.mhz);
    mem_.set_capacity(root, capacity.mib);
  }

  Capacity cluster_capacity(int cluster) const {
    Capacity total;
    for (std::size_t h = 0; h < config_.hosts.size(); ++h) {
      if (config_.hosts[h].cluster_id != cluster || !host_up_[h]) continue;
      total.mhz += config_.hosts[h].cpu.capacity_mhz();
      total.mib += config_.hosts[h].memory_mib;
    }
    return total;
  }

  const ScenarioConfig& config_;
  const RunState& state_;
  // CPU (MHz) and memory (MiB) reservations: the same roots and pools in the same order,
  // so one node id names a node in both.
  ReservationLedger cpu_{cpu_reservations};
  ReservationLedger mem_{memory_reservations};
  std::vector<ReservationLedger::NodeId> cluster_root_;
  std::vector<ReservationLedger::NodeId> host_root_;
  std::vector<ReservationLedger::NodeId> pool_node_;
  std::vector<bool> host_up_;
  std::vector<Vm> vms_;
};

}  // namespace

std::unique_ptr<Placement> make_least_loaded_placement(const ScenarioConfig& config, const RunState& state) {
  return std::make_unique<LeastLoadedPlacement>(config, state);
}

}  // namespace vdc::models
