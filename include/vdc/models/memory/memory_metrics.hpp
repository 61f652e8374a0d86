#pragma once
/// Names under which the memory area publishes its metrics (entities "host/<name>" and
/// "vm/<name>", include/vdc/models/metric_names.hpp). Where esxtop has a counter for the
/// quantity, its name is noted beside ours (reference A.3).

#include <array>
#include <string_view>

namespace vdc::models::metric {

// --- VM memory gauges, MiB ---
inline constexpr std::string_view vm_mem_granted_mib = "mem.granted_mib";        ///< GRANT
inline constexpr std::string_view vm_mem_active_mib = "mem.active_mib";          ///< TCHD (touched = active estimate)
inline constexpr std::string_view vm_mem_shared_mib = "mem.shared_mib";          ///< SHRD
inline constexpr std::string_view vm_mem_balloon_mib = "mem.balloon_mib";        ///< MCTLSZ
inline constexpr std::string_view vm_mem_compressed_mib = "mem.compressed_mib";  ///< ZIP
inline constexpr std::string_view vm_mem_swapped_mib = "mem.swapped_mib";        ///< SWCUR

// --- host memory gauges, MiB ---
inline constexpr std::string_view host_mem_granted_mib = "mem.granted_mib";
inline constexpr std::string_view host_mem_consumed_mib = "mem.consumed_mib";
inline constexpr std::string_view host_mem_shared_saved_mib = "mem.shared_saved_mib";
inline constexpr std::string_view host_mem_balloon_mib = "mem.balloon_mib";
inline constexpr std::string_view host_mem_compressed_mib = "mem.compressed_mib";
inline constexpr std::string_view host_mem_swapped_mib = "mem.swapped_mib";
inline constexpr std::string_view host_mem_free_mib = "mem.free_mib";
/// 1 while the host is in that memory state, 0 otherwise: the average is the time share.
inline constexpr std::string_view host_mem_state_high = "mem.state.high";
inline constexpr std::string_view host_mem_state_clear = "mem.state.clear";
inline constexpr std::string_view host_mem_state_soft = "mem.state.soft";
inline constexpr std::string_view host_mem_state_hard = "mem.state.hard";
inline constexpr std::string_view host_mem_state_low = "mem.state.low";

/// Constant: the host's minFree, MiB, of the sliding scale (reference B.2).
inline constexpr std::string_view host_mem_min_free_mib = "mem.min_free_mib";

/// The memory gauges of a host, in the order the memory model publishes them.
inline constexpr std::array<std::string_view, 12> host_memory_gauges{
    host_mem_granted_mib,      host_mem_consumed_mib, host_mem_shared_saved_mib,
    host_mem_balloon_mib,      host_mem_compressed_mib, host_mem_swapped_mib,
    host_mem_free_mib,         host_mem_state_high,   host_mem_state_clear,
    host_mem_state_soft,       host_mem_state_hard,   host_mem_state_low};
/// The memory gauges of a VM, in the order the memory model publishes them.
inline constexpr std::array<std::string_view, 6> vm_memory_gauges{
    vm_mem_granted_mib, vm_mem_active_mib,     vm_mem_shared_mib,
    vm_mem_balloon_mib, vm_mem_compressed_mib, vm_mem_swapped_mib};

}  // namespace vdc::models::metric
