#include "vdc/models/cpu/cpu_parameters.hpp"

#include <array>

namespace vdc::models::cpu {

namespace {

constexpr std::array<ModelParameter, 10> table{{
    {"cpu", "cpu.quantum", ParameterScope::model, ParameterUnit::seconds, 0.020, 1e-5, 1.0,
     "detailed: period at which a running vCPU is weighed against waiting ones and may be "
     "preempted (fluid: the co-stop chain's preemption rate)",
     "UNCONFIRMED: no VMware default found; [S] 10-20 ms (Packt), 2-30 ms (Rahabok) "
     "(reference A.1)"},
    {"cpu", "cpu.skew_threshold", ParameterScope::model, ParameterUnit::seconds, 0.003, 1e-6,
     1.0,
     "detailed and the fluid co-stop chain: a running vCPU whose progress leads its "
     "slowest sibling by this much is co-stopped (detailed: also how recently a VM's "
     "quantum began for a vCPU dispatched from the ready queue to join it)",
     "UNCONFIRMED: no citable number; '3 ms' circulates without source (reference A.2)"},
    {"cpu", "cpu.costart_skew", ParameterScope::model, ParameterUnit::seconds, 0.0, 0.0, 1.0,
     "detailed and the fluid co-stop chain: a co-stopped vCPU is co-started when its lead "
     "over its slowest sibling falls to this (0: the laggards caught up)",
     "UNCONFIRMED: reference A.2 says co-stopped until the laggards catch up"},
    {"cpu", "cpu.idle_credit", ParameterScope::model, ParameterUnit::seconds, 0.020, 0.0, 10.0,
     "detailed: a VM keeps at most this much CPU time (at its entitlement) of credit over "
     "the VMs running or waiting, however long it was idle",
     "UNCONFIRMED: the decay of 'consumed' is not published (reference A.1, F); one "
     "quantum"},
    {"cpu", "cpu.ht_factor", ParameterScope::model, ParameterUnit::none, 1.25, 1.0, 2.0,
     "throughput of a core with both hyperthreads busy, relative to one thread alone; each "
     "thread then runs at half of it (62.5%)",
     "reference A.4 [S] VMware Operations Guide 1.25x; within KB 326271's 10-30%"},
    {"cpu", "cpu.numa_remote_penalty", ParameterScope::model, ParameterUnit::none, 0.28, 0.0,
     5.0,
     "CPU time per unit of work grows by 1 + penalty x (fraction of the VM's memory on "
     "remote NUMA nodes)",
     "DERIVED from reference A.5: wide-VM NUMA gave 11-17% with 2 clients (remote half), "
     "so 0.22-0.34; UNCONFIRMED"},
    {"cpu", "cpu.vnuma_min_vcpus", ParameterScope::model, ParameterUnit::none, 9.0, 1.0, 1024.0,
     "VMs with at least this many vCPUs see virtual NUMA, so each NUMA client's memory is "
     "local; a smaller VM wider than a node interleaves its memory across its clients",
     "reference A.5 numa.vcpu.min = 9 [P]"},
    {"cpu", "cpu.fluid_costop_factor", ParameterScope::model, ParameterUnit::fraction, 0.4, 0.0,
     1.0,
     "fluid: co-stop share of the waiting of an always-runnable SMP vCPU (backlogged "
     "periodic demand or tasks) = factor x (busy vCPUs - 1) / busy vCPUs; vCPUs that idle "
     "between bursts use the co-stop chain instead",
     "UNCONFIRMED: calibrated against the detailed model (docs/models.md)"},
    {"cpu", "cpu.fluid_queueing", ParameterScope::model, ParameterUnit::none, 1.0, 0.0, 1.0,
     "fluid: 1 adds the finite-source M/M/c queueing estimate of ready time below "
     "saturation, 0 counts only unmet demand",
     "reference D.2, D.4"},
    {"workload", "workload.constant_period", ParameterScope::model, ParameterUnit::seconds,
     0.010, 1e-5, 10.0,
     "detailed: a constant demand d runs bursts of d x period of work, each followed by "
     "(1 - d) x period idle",
     "UNCONFIRMED: modelling choice"},
}};

double value_of(const std::map<std::string, double>& values, std::string_view name) {
  const auto it = values.find(std::string(name));
  if (it != values.end()) return it->second;
  for (const ModelParameter& p : table) {
    if (p.name == name) return p.default_value;
  }
  return 0.0;
}

}  // namespace

std::span<const ModelParameter> cpu_parameters() { return table; }

CpuParameters CpuParameters::from(const std::map<std::string, double>& values) {
  CpuParameters p;
  p.quantum = sim::Time::from_seconds(value_of(values, "cpu.quantum"));
  p.skew_threshold = sim::Time::from_seconds(value_of(values, "cpu.skew_threshold"));
  p.costart_skew = sim::Time::from_seconds(value_of(values, "cpu.costart_skew"));
  p.idle_credit = sim::Time::from_seconds(value_of(values, "cpu.idle_credit"));
  p.ht_factor = value_of(values, "cpu.ht_factor");
  p.numa_remote_penalty = value_of(values, "cpu.numa_remote_penalty");
  p.vnuma_min_vcpus = static_cast<int>(value_of(values, "cpu.vnuma_min_vcpus"));
  p.fluid_costop_factor = value_of(values, "cpu.fluid_costop_factor");
  p.fluid_queueing = value_of(values, "cpu.fluid_queueing") >= 0.5;
  p.constant_period = sim::Time::from_seconds(value_of(values, "workload.constant_period"));
  return p;
}

}  // namespace vdc::models::cpu
