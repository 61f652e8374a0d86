// Powering, placing and moving the VMs of a run, across the CPU and memory models, and the
// scenario's events (the rest of DatacenterRun is in datacenter_run.cpp).
#include <algorithm>
#include <cassert>
#include <variant>

#include <fmt/format.h>

#include "datacenter_run.hpp"

namespace vdc::models {

// ---- Traces and memory slowdown --------------------------------------------------------

int DatacenterRun::first_host(const VmConfig& vm) const {
  // Where a VM is expected to run first: whose frequency its trace is read for when the
  // run is built (join reads it again for the host it lands on).
  if (!vm.host.empty()) return host_index(vm.host);
  for (std::size_t h = 0; h < hosts_.size(); ++h) {
    const int c = hosts_[h].cluster;
    if (vm.cluster.empty() ||
        (c >= 0 && config_.clusters[static_cast<std::size_t>(c)].name == vm.cluster)) {
      return static_cast<int>(h);
    }
  }
  return hosts_.empty() ? -1 : 0;
}

void DatacenterRun::set_trace_host(std::size_t v, int host) {
  Vm& vm = vms_[v];
  const auto* spec = std::get_if<TraceCpu>(&vm.cfg->cpu_workload);
  if (spec == nullptr || host < 0) return;
  // A trace in MHz is demand per vCPU as a fraction of this host's cores.
  const double mhz = hosts_[static_cast<std::size_t>(host)].cfg->cpu.frequency_mhz;
  if (vm.trace_mhz == mhz) return;
  const trace::TraceCursor cursor = trace::make_cpu_cursor(traces_, *spec, vm.cpu.vcpus, mhz);
  for (auto& g : vm.cpu.generators) g.set_trace(cursor);
  vm.trace_mhz = mhz;
}

void DatacenterRun::start_memory_trace(std::size_t v) {
  Vm& vm = vms_[v];
  const auto* spec = std::get_if<TraceCpu>(&vm.cfg->cpu_workload);
  if (spec == nullptr || spec->memory_column.empty()) return;
  vm.memory_trace = trace::make_memory_cursor(traces_, *spec, vm.cfg->memory_mib);
  // join() applies the value in force at power-on; these events apply each change after.
  schedule_memory_sample(v);
}

void DatacenterRun::schedule_memory_sample(std::size_t v) {
  const sim::Time next = vms_[v].memory_trace->next_change(sim_.now());
  if (next <= config_.duration) sim_.at(next, [this, v] { on_memory_sample(v); });
}

void DatacenterRun::on_memory_sample(std::size_t v) {
  Vm& vm = vms_[v];
  const double active = vm.memory_trace->value_at(sim_.now());
  if (vm.on) memory_->set_active(*vm.memory, active);
  schedule_memory_sample(v);
}

void DatacenterRun::on_progress(memory::VmRef ref, double progress) {
  // Memory host ids are host indices: every host was added in order.
  Vm& vm = vms_[hosts_[ref.host].vm_of_handle[ref.vm]];
  if (vm.on && vm.memory == ref) {
    hosts_[static_cast<std::size_t>(vm.host)].cpu->set_speed(vm.cpu, progress);
  }
}

// ---- Power and placement ---------------------------------------------------------------

std::optional<std::string> DatacenterRun::try_place(std::size_t v, int host) {
  Vm& vm = vms_[v];
  const Host& h = hosts_[static_cast<std::size_t>(host)];
  if (!h.up) return fmt::format("host {} is down", h.cfg->name);
  if (vm.cpu.vcpus > h.cfg->cpu.lcpus()) {
    return fmt::format("{} vCPUs exceed the {} logical CPUs of host {}", vm.cpu.vcpus,
                       h.cfg->cpu.lcpus(), h.cfg->name);
  }
  const int pool = pool_for_host(vm.home_pool, host);
  const auto node = ledger_node(pool, host);
  const bool host_check = needs_host_check(pool, host);
  if (auto why = reservation_refusal(v, host, node, host_check)) return why;
  charge(v, host, node, host_check);
  vm.pool = pool;
  join(v, host, 0.0, 0.0);
  return std::nullopt;
}

std::optional<std::string> DatacenterRun::reservation_refusal(std::size_t v, int host,
                                                              ReservationLedger::NodeId node,
                                                              bool host_check) const {
  // Every check before any charge, so a refusal leaves nothing reserved. The CPU
  // reservation first, then the memory reservation with its overhead (reference B.1.9),
  // each where the VM sits (its pool, else its host or cluster) and, for a host in a
  // cluster, in the host itself.
  const Vm& vm = vms_[v];
  const Host& h = hosts_[static_cast<std::size_t>(host)];
  const double mhz = vm.cfg->cpu.reservation;
  if (auto why = ledger_.refusal(node, mhz)) return why;
  if (host_check) {
    if (auto why = ledger_.refusal(h.ledger, mhz)) return why;
  }
  if (auto why = mem_ledger_.refusal(node, vm.mem_reservation, vm.mem_overhead)) return why;
  if (host_check) {
    if (auto why = mem_ledger_.refusal(h.ledger, vm.mem_reservation, vm.mem_overhead)) return why;
  }
  // The host's memory model holds only its VMs' reservations; the ledger has already
  // checked them, unless the reservations of the host's pools exceed its memory (the
  // loader does not refuse such pools), and then the model refuses here.
  return memory_->host(h.memory).admission_refusal(*vm.cfg);
}

void DatacenterRun::charge(std::size_t v, int host, ReservationLedger::NodeId node,
                           bool host_check) {
  Vm& vm = vms_[v];
  const double mib = vm.mem_reservation + vm.mem_overhead;
  ledger_.charge(node, vm.cfg->cpu.reservation);
  mem_ledger_.charge(node, mib);
  if (host_check) {
    const auto root = hosts_[static_cast<std::size_t>(host)].ledger;
    ledger_.charge(root, vm.cfg->cpu.reservation);
    mem_ledger_.charge(root, mib);
  }
  vm.charged = node;
  vm.host_charged = host_check;
}

void DatacenterRun::release(std::size_t v) {
  const Vm& vm = vms_[v];
  const double mib = vm.mem_reservation + vm.mem_overhead;
  ledger_.release(vm.charged, vm.cfg->cpu.reservation);
  mem_ledger_.release(vm.charged, mib);
  if (vm.host_charged) {
    const auto root = hosts_[static_cast<std::size_t>(vm.host)].ledger;
    ledger_.release(root, vm.cfg->cpu.reservation);
    mem_ledger_.release(root, mib);
  }
}

void DatacenterRun::power_on(std::size_t v) {
  Vm& vm = vms_[v];
  if (vm.on) return;
  std::vector<int> candidates;
  if (!vm.cfg->host.empty()) {
    candidates.push_back(host_index(vm.cfg->host));
  } else {
    // Provisional initial placement until the cluster area places VMs: the least loaded
    // host (vCPUs per core) of its cluster, or of all hosts.
    int cluster = -1;
    for (std::size_t c = 0; c < config_.clusters.size(); ++c) {
      if (config_.clusters[c].name == vm.cfg->cluster) cluster = static_cast<int>(c);
    }
    for (std::size_t h = 0; h < hosts_.size(); ++h) {
      if (cluster < 0 || hosts_[h].cluster == cluster) candidates.push_back(static_cast<int>(h));
    }
    const auto load = [this](int h) {
      const Host& host = hosts_[static_cast<std::size_t>(h)];
      int vcpus = 0;
      for (const std::size_t i : host.vms) vcpus += vms_[i].cpu.vcpus;
      return static_cast<double>(vcpus) / host.cfg->cpu.pcpus();
    };
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&](int a, int b) { return load(a) < load(b); });
  }
  std::optional<std::string> first_refusal;
  for (const int h : candidates) {
    if (h < 0) continue;
    auto why = try_place(v, h);
    if (!why) {
      vm.admission.reset();
      return;
    }
    if (!first_refusal) first_refusal = std::move(why);
  }
  vm.admission = first_refusal ? std::move(first_refusal) : std::string("no host to run on");
}

void DatacenterRun::join(std::size_t v, int host, double touched_mib, double touch_target_mib) {
  Vm& vm = vms_[v];
  Host& h = hosts_[static_cast<std::size_t>(host)];
  const memory::ModelPowerOn mem =
      memory_->power_on(h.memory, *vm.cfg, touched_mib, touch_target_mib);
  assert(mem.vm.has_value() && "memory admission is checked before joining");
  vm.memory = mem.vm;
  if (h.vm_of_handle.size() <= mem.vm->vm) h.vm_of_handle.resize(mem.vm->vm + 1);
  h.vm_of_handle[mem.vm->vm] = v;
  if (vm.memory_trace) memory_->set_active(*mem.vm, vm.memory_trace->value_at(sim_.now()));
  vm.cpu.speed = memory_->progress_factor(*mem.vm);
  set_trace_host(v, host);
  vm.on = true;
  vm.host = host;
  h.vms.push_back(v);
  for (int p = vm.pool; p >= 0; p = pools_[static_cast<std::size_t>(p)].parent) {
    pools_[static_cast<std::size_t>(p)].vcpus_on += vm.cpu.vcpus;
  }
  refresh_pools(host);
  h.cpu->add_vm(vm.cpu);
  mark_cluster_pools(v);
}

void DatacenterRun::leave(std::size_t v) {
  Vm& vm = vms_[v];
  Host& h = hosts_[static_cast<std::size_t>(vm.host)];
  memory_->power_off(*vm.memory);
  vm.memory.reset();
  h.cpu->remove_vm(vm.cpu);
  h.vms.erase(std::find(h.vms.begin(), h.vms.end(), v));
  for (int p = vm.pool; p >= 0; p = pools_[static_cast<std::size_t>(p)].parent) {
    pools_[static_cast<std::size_t>(p)].vcpus_on -= vm.cpu.vcpus;
  }
  refresh_pools(vm.host);
  mark_cluster_pools(v);
  vm.on = false;
}

void DatacenterRun::power_off(std::size_t v) {
  Vm& vm = vms_[v];
  if (!vm.on) return;
  release(v);
  leave(v);
  // A VM powered on again starts its workload afresh.
  for (auto& g : vm.cpu.generators) g.restart();
  vm.cpu.progress.assign(vm.cpu.progress.size(), cpu::VcpuProgress{});
  cpu::publish_powered_off(result_.metrics, vm.cpu.metrics, sim_.now());
}

void DatacenterRun::fail_host(int host) {
  const Host& h = hosts_[static_cast<std::size_t>(host)];
  if (!h.up) return;
  // Powering its VMs off releases their CPU and memory reservations everywhere.
  const std::vector<std::size_t> on = h.vms;
  for (const std::size_t v : on) power_off(v);
  set_host_up(host, false);
}

void DatacenterRun::restore_host(int host) {
  if (hosts_[static_cast<std::size_t>(host)].up) return;
  set_host_up(host, true);
}

void DatacenterRun::set_host_up(int host, bool up) {
  Host& h = hosts_[static_cast<std::size_t>(host)];
  h.up = up;
  set_ledger_capacity(h.ledger, up ? Capacity{h.cfg->cpu.capacity_mhz(), h.cfg->memory_mib}
                                   : Capacity{});
  if (h.cluster >= 0) {
    set_ledger_capacity(cluster_ledger_[static_cast<std::size_t>(h.cluster)],
                        cluster_capacity(h.cluster));
  }
}

void DatacenterRun::migrate(std::size_t v, int to) {
  Vm& vm = vms_[v];
  if (!vm.on || to < 0 || to == vm.host) return;
  const Host& dest = hosts_[static_cast<std::size_t>(to)];
  if (!dest.up || vm.cpu.vcpus > dest.cfg->cpu.lcpus()) return;
  // A host's own pool does not follow the VM; a cluster's pool does.
  const int pool = pool_for_host(vm.pool, to);
  const auto node = ledger_node(pool, to);
  const bool host_check = needs_host_check(pool, to);
  // The VM's own reservations do not stand in its way: a move within a cluster's pool
  // needs no more room in it.
  release(v);
  if (reservation_refusal(v, to, node, host_check)) {
    // vMotion refused by admission control: the VM stays where it is.
    charge(v, vm.host, vm.charged, vm.host_charged);
    return;
  }
  // The guest arrives with the memory it had touched, still touching toward the same
  // target (docs/memory.md "First touch").
  const memory::VmMemoryStats guest = memory_->vm_stats_now(*vm.memory);
  leave(v);
  charge(v, to, node, host_check);
  vm.pool = pool;
  join(v, to, guest.touched_mib, guest.touch_target_mib);
}

// ---- Events ----------------------------------------------------------------------------

void DatacenterRun::schedule_events() {
  for (const EventConfig& e : config_.events) {
    if (e.at > config_.duration) continue;
    switch (e.kind) {
      case EventKind::fail_host:
      case EventKind::restore_host: {
        const int h = host_index(e.target);
        if (h < 0) break;
        const bool fail = e.kind == EventKind::fail_host;
        sim_.at(e.at, [this, h, fail] { fail ? fail_host(h) : restore_host(h); });
        break;
      }
      case EventKind::power_on:
      case EventKind::power_off: {
        const int v = vm_index(e.target);
        if (v < 0) break;
        const bool on = e.kind == EventKind::power_on;
        const auto i = static_cast<std::size_t>(v);
        sim_.at(e.at, [this, i, on] { on ? power_on(i) : power_off(i); });
        break;
      }
      case EventKind::migrate: {
        const int v = vm_index(e.target);
        const int to = host_index(e.to);
        if (v < 0 || to < 0) break;
        const auto i = static_cast<std::size_t>(v);
        sim_.at(e.at, [this, i, to] { migrate(i, to); });
        break;
      }
      case EventKind::link_down:
      case EventKind::link_up:
        // The network is not modelled yet: link events change nothing.
        break;
    }
  }
}

}  // namespace vdc::models
