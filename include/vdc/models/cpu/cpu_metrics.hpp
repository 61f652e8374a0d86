#pragma once
/// Names under which the CPU area publishes its metrics (entities "host/<name>" and
/// "vm/<name>", include/vdc/models/metric_names.hpp). Where esxtop has a counter for the
/// quantity, its name is noted beside ours (reference A.3).

#include <string_view>

namespace vdc::models::metric {

// --- VM CPU gauges (time-weighted) ---
inline constexpr std::string_view vm_cpu_demand_mhz = "cpu.demand_mhz";            ///< what the workload asks for
inline constexpr std::string_view vm_cpu_used_mhz = "cpu.used_mhz";                ///< what it gets (esxtop %USED x capacity)
inline constexpr std::string_view vm_cpu_entitlement_mhz = "cpu.entitlement_mhz";  ///< shares/reservation/limit entitlement
/// Fractions of the VM's vCPUs in each state; the four sum to 1 at every instant, so their
/// run averages are %RUN, %RDY, %CSTP and %WAIT per vCPU (KB 387750 identity).
inline constexpr std::string_view vm_cpu_run = "cpu.run";        ///< esxtop %RUN / vCPUs
inline constexpr std::string_view vm_cpu_ready = "cpu.ready";    ///< esxtop %RDY / vCPUs
inline constexpr std::string_view vm_cpu_costop = "cpu.costop";  ///< esxtop %CSTP / vCPUs
inline constexpr std::string_view vm_cpu_wait = "cpu.wait";      ///< esxtop %WAIT / vCPUs
/// Counter: tasks of a `tasks` workload completed, over all vCPUs of the VM.
inline constexpr std::string_view vm_cpu_tasks_completed = "cpu.tasks_completed";

// --- host CPU gauges ---
inline constexpr std::string_view host_cpu_used_mhz = "cpu.used_mhz";
inline constexpr std::string_view host_cpu_demand_mhz = "cpu.demand_mhz";
/// Constant: what the CPU model grants with every logical CPU busy, MHz: the cores'
/// capacity times the hyperthreading gain (cpu.ht_factor) when the cores have threads.
/// The base of the host's CPU usage, which therefore never exceeds 100%.
inline constexpr std::string_view host_cpu_granted_capacity_mhz = "cpu.granted_capacity_mhz";

}  // namespace vdc::models::metric
