#pragma once
// Small hosts and VMs for the memory tests, with round numbers that can be followed by hand.

#include <map>
#include <string>

#include "vdc/models/inventory.hpp"
#include "vdc/models/memory/host_memory.hpp"

namespace vdc::models::memory::test {

/// A host of `memory_mib` MiB, one 8-core 2.5 GHz socket, with advanced settings.
inline HostConfig make_host(double memory_mib, std::map<std::string, double> advanced = {}) {
  HostConfig h;
  h.name = "esx01";
  h.memory_mib = memory_mib;
  h.cpu.sockets = 1;
  h.cpu.cores_per_socket = 8;
  h.cpu.frequency_mhz = 2500.0;
  h.advanced = std::move(advanced);
  return h;
}

/// A 1-vCPU VM of `memory_mib` MiB with the memory workload given (fractions).
inline VmConfig make_vm(std::string name, double memory_mib, MemoryWorkload workload,
                        std::string os = "linux") {
  VmConfig v;
  v.name = std::move(name);
  v.memory_mib = memory_mib;
  v.vcpus = 1;
  v.mem_workload = workload;
  v.guest.os = std::move(os);
  return v;
}

/// A workload: fractions active and touched of configured memory; zero, image and
/// compressible of touched memory.
inline MemoryWorkload workload(double active, double touched, double zero = 0.0,
                               double image = 0.0, double compressible = 0.0) {
  return MemoryWorkload{active, touched, zero, image, compressible};
}

/// Steps `host` every balance period until `until`.
inline void run_periodic(HostMemory& host, sim::Time until) {
  while (host.now() + host.balance_period() <= until) host.step(host.now() + host.balance_period());
}

}  // namespace vdc::models::memory::test
