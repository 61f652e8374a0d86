#pragma once
// One host with a CPU model and VMs added by hand: the tiny setups of the CPU model tests.

#include <deque>
#include <memory>
#include <string>

#include "vdc/models/cpu/detailed_cpu.hpp"
#include "vdc/models/cpu/fluid_cpu.hpp"
#include "vdc/models/metric_names.hpp"

namespace vdc::models::testing {

/// A host, its CPU model of either fidelity, and the VMs on it.
template <class Model>
struct CpuLab {
  sim::Simulator sim;
  sim::MetricsRegistry metrics;
  cpu::CpuParameters params;
  HostConfig host;
  std::unique_ptr<Model> model;
  std::deque<cpu::VmCpu> vms;
  std::uint64_t seed = 11;

  CpuLab(HostConfig h, cpu::CpuParameters p = {}) : params(p), host(std::move(h)) {
    model = std::make_unique<Model>(sim, metrics, host, params,
                                    cpu::register_host_cpu_metrics(metrics, host.name, false));
  }

  /// Adds a VM of `vcpus` running `workload` with `shares` (0: normal).
  cpu::VmCpu& add(const std::string& name, int vcpus, const CpuWorkload& workload,
                  double shares = 0.0) {
    VmConfig c;
    c.name = name;
    c.vcpus = vcpus;
    c.memory_mib = 1024.0;
    c.cpu_workload = workload;
    vms.push_back(cpu::make_vm_cpu(c, seed, params,
                                   cpu::register_vm_cpu_metrics(metrics, name, false)));
    if (shares > 0.0) vms.back().shares = shares;
    model->add_vm(vms.back());
    return vms.back();
  }

  /// Current value of a VM gauge.
  double now_value(const cpu::VmCpu& vm, std::string_view name) const {
    return metrics.value(*metrics.find(metric::vm_entity(vm.name), name));
  }
  /// Run average of a VM gauge (call after finish()).
  double average(const cpu::VmCpu& vm, std::string_view name) const {
    return metrics.average(*metrics.find(metric::vm_entity(vm.name), name));
  }
  /// Runs to `end` and closes the metrics there.
  void run_and_finish(sim::Time end) {
    sim.run_until(end);
    model->finish(end);
    metrics.finish(end);
  }
};

}  // namespace vdc::models::testing
