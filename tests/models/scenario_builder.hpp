#pragma once
// Small helpers to write scenarios of the CPU tests in C++ (no YAML loader involved).

#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "vdc/models/datacenter.hpp"
#include "vdc/models/metric_names.hpp"

namespace vdc::models::testing {

using namespace sim::literals;

/// A host of `sockets` x `cores` cores at `mhz`, `threads` per core, 64 GiB per socket.
inline HostConfig make_host(std::string name, int cores, double mhz, int threads = 1,
                            int sockets = 1) {
  HostConfig h;
  h.name = std::move(name);
  h.cpu.sockets = sockets;
  h.cpu.cores_per_socket = cores;
  h.cpu.threads_per_core = threads;
  h.cpu.frequency_mhz = mhz;
  h.memory_mib = 65536.0 * sockets;
  return h;
}

/// A VM of `vcpus` on `host` running `workload` on each vCPU, normal shares, 1 GiB.
inline VmConfig make_vm(std::string name, std::string host, int vcpus, CpuWorkload workload) {
  VmConfig v;
  v.name = std::move(name);
  v.host = std::move(host);
  v.vcpus = vcpus;
  v.memory_mib = 1024.0;
  v.cpu_workload = std::move(workload);
  return v;
}

/// Constant demand of `fraction` of a core per vCPU.
inline CpuWorkload busy(double fraction = 1.0) { return ConstantCpu{fraction}; }

/// A scenario of `duration` with nothing in it yet.
inline ScenarioConfig make_scenario(sim::Time duration, Fidelity fidelity = Fidelity::fluid) {
  ScenarioConfig c;
  c.name = "test";
  c.source = "<test>";
  c.seed = 7;
  c.duration = duration;
  c.fidelity = fidelity;
  return c;
}

/// Run average of a VM's metric.
inline double vm_avg(const RunResult& r, std::string_view vm, std::string_view name) {
  const auto id = r.metrics.find(metric::vm_entity(vm), name);
  REQUIRE(id.has_value());
  return r.metrics.average(*id);
}

/// Run average of a host's metric.
inline double host_avg(const RunResult& r, std::string_view host, std::string_view name) {
  const auto id = r.metrics.find(metric::host_entity(host), name);
  REQUIRE(id.has_value());
  return r.metrics.average(*id);
}

/// The facts of one VM.
inline const VmFacts& vm_facts(const RunResult& r, std::string_view vm) {
  for (const VmFacts& f : r.vms) {
    if (f.name == vm) return f;
  }
  FAIL("no VM " << vm);
  return r.vms.front();
}

/// A scenario event: `kind` on `target` at `at`; `to` for a migration.
inline EventConfig event(sim::Time at, EventKind kind, std::string target, std::string to = {}) {
  EventConfig e;
  e.at = at;
  e.kind = kind;
  e.target = std::move(target);
  e.to = std::move(to);
  return e;
}

}  // namespace vdc::models::testing
