#pragma once
/// Parameters of the CPU models and of the CPU workload generators, with their documented
/// defaults (reference/cpu-memory-cluster.md section A; docs/models.md "CPU").

#include <map>
#include <span>
#include <string>

#include "vdc/models/parameters.hpp"
#include "vdc/sim/time.hpp"

namespace vdc::models::cpu {

/// Values of the CPU parameters for one run.
struct CpuParameters {
  /// cpu.quantum: how often a running vCPU is weighed against waiting ones (detailed).
  sim::Time quantum = sim::Time::from_ns(20'000'000);
  /// cpu.skew_threshold: lead over the slowest sibling that co-stops a vCPU (detailed).
  sim::Time skew_threshold = sim::Time::from_ns(3'000'000);
  /// cpu.costart_skew: a co-stopped vCPU restarts when its lead falls to this (detailed).
  sim::Time costart_skew = sim::Time::zero();
  /// cpu.idle_credit: most CPU time, at its entitlement, that a VM may have saved while
  /// idle over the VMs running or waiting (detailed).
  sim::Time idle_credit = sim::Time::from_ns(20'000'000);
  /// cpu.ht_factor: throughput of a core with both threads busy over one thread alone.
  double ht_factor = 1.25;
  /// cpu.numa_remote_penalty: extra CPU time per unit of work with all memory remote.
  double numa_remote_penalty = 0.28;
  /// cpu.vnuma_min_vcpus: from this many vCPUs a VM sees virtual NUMA (memory local).
  int vnuma_min_vcpus = 9;
  /// cpu.fluid_costop_factor: co-stop share of an always-runnable SMP vCPU's waiting in
  /// the fluid model, before the (busy vCPUs - 1) / busy vCPUs factor (vCPUs that idle
  /// between bursts use the co-stop chain, docs/models.md).
  double fluid_costop_factor = 0.4;
  /// cpu.fluid_queueing: add the finite-source queueing estimate of ready time (fluid).
  bool fluid_queueing = true;
  /// workload.constant_period: burst period of a constant demand in the detailed model.
  sim::Time constant_period = sim::Time::from_ns(10'000'000);

  /// The values of a scenario's `parameters:` map (names as in cpu_parameters()), the
  /// documented default for every name it does not set; other names are ignored.
  [[nodiscard]] static CpuParameters from(const std::map<std::string, double>& values);
};

/// The declarations of every CPU and CPU-workload parameter (areas "cpu" and "workload"),
/// for the registry (models/registry.cpp).
[[nodiscard]] std::span<const ModelParameter> cpu_parameters();

}  // namespace vdc::models::cpu
