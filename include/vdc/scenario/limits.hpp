#pragma once
/// Upper bounds the loader enforces, so that a typo such as an extra zero is an error rather
/// than a run that exhausts the machine. They follow the vSphere 8 configuration maximums
/// where one exists (768 vCPUs and 24 TB per VM, 896 logical CPUs and 24 TB per host) and
/// are listed in docs/scenario.md.

#include <cstddef>
#include <cstdint>

namespace vdc::scenario::limits {

/// vCPUs of one VM (vSphere 8 maximum).
inline constexpr int max_vcpus = 768;
/// Smallest VM memory, MiB (vSphere minimum).
inline constexpr double min_vm_memory_mib = 4.0;
/// Largest VM memory, MiB: 24 TiB (vSphere 8 maximum).
inline constexpr double max_vm_memory_mib = 24.0 * 1024.0 * 1024.0;
/// Largest host memory, MiB: 24 TiB (vSphere 8 maximum).
inline constexpr double max_host_memory_mib = 24.0 * 1024.0 * 1024.0;
/// Logical CPUs of one host (sockets x cores x threads; vSphere 8 maximum).
inline constexpr int max_host_lcpus = 896;
/// Sockets of one host.
inline constexpr int max_sockets = 16;
/// Hardware threads per core (x86 SMT).
inline constexpr int max_threads_per_core = 2;
/// Core frequency, MHz (10 GHz: beyond any shipping server CPU).
inline constexpr double max_frequency_mhz = 10'000.0;
/// NIC speed, Mbps (800 Gbps).
inline constexpr double max_nic_speed_mbps = 800'000.0;
/// GPUs of one model on one host.
inline constexpr int max_gpus = 64;
/// vGPUs of one VM (vSphere 8; reference C.2).
inline constexpr int max_vgpus_per_vm = 8;
/// Custom shares value (the vSphere client's upper bound).
inline constexpr std::int64_t max_custom_shares = 1'000'000;
/// Names produced by one name range such as web{1..40}.
inline constexpr std::int64_t max_range_names = 100'000;
/// Tasks per vCPU of a `tasks` workload.
inline constexpr int max_tasks = 1'000'000;
/// Longest simulated duration, seconds: 366 days.
inline constexpr double max_duration_s = 366.0 * 86'400.0;

/// YAML nodes that anchors hold and aliases copy, in all, in one file. Each level of
/// nested aliases multiplies the copies ("billion laughs": nine levels of ten aliases make
/// a billion nodes of a few hundred bytes); a hand-written file uses a few hundred.
inline constexpr std::size_t max_alias_nodes = 250'000;
/// Bytes of text (keys and scalars) that anchors hold and aliases copy, in all: 16 MiB.
inline constexpr std::size_t max_alias_bytes = 16 * 1024 * 1024;
/// Diagnostics shown for one file; the rest are counted in one closing line
/// ("... and 146605 more errors"), so that a file with an error on every line does not
/// flood the terminal.
inline constexpr std::size_t max_diagnostics_shown = 50;

}  // namespace vdc::scenario::limits
