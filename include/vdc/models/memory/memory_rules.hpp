#pragma once
/// The closed-form rules of ESXi memory management that the memory model is built from:
/// minFree and the host memory states, per-VM overhead, balloon, compression-cache and
/// swap-file sizes, the idle memory tax, and the slowdown of a VM whose active memory is
/// not resident. Pure functions, each checkable by hand against
/// shared/reference/cpu-memory-cluster.md section B (cited per function).

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace vdc::models::memory {

/// Host memory state, from most to least free memory (reference B.2, vSphere 6+ table).
enum class HostState : std::uint8_t { high, clear, soft, hard, low };

/// Number of host states.
inline constexpr std::size_t host_state_count = 5;

/// The state's name as reports print it: "high", "clear", "soft", "hard", "low".
[[nodiscard]] std::string_view to_string(HostState state);

/// minFree in MiB for a host of `host_mib` MiB (reference B.2). `min_free_pct` is
/// Mem.MemMinFreePct: 0 selects the vSphere 5+ sliding scale (6% of the first 4 GiB, 4% of
/// the next 8, 2% of the next 16, 1% of the rest: 28 GiB gives 901.12 MiB); any other value
/// is a flat percentage of host memory.
[[nodiscard]] double min_free_mib(double host_mib, double min_free_pct = 0.0);

/// Free-memory thresholds of the five states in MiB, in HostState order: `pct[i]` percent
/// of `min_free` (defaults 400/100/64/32/16, reference B.2).
[[nodiscard]] std::array<double, host_state_count> state_thresholds_mib(
    double min_free, const std::array<double, host_state_count>& pct);

/// The state after observing `free_mib` in state `current`, with hysteresis (reference
/// B.1.10, "moves back up only after significantly exceeding the higher threshold"):
/// the host falls to the state below while free < that state's threshold, and rises to the
/// state above while free >= the threshold of that state above times (1 + rise_margin).
/// So Soft is entered below 64% of minFree and left, for Clear, at 100%; Clear is left,
/// for High, only at 400%. Both moves may cross several states at once.
[[nodiscard]] HostState next_state(HostState current, double free_mib,
                                   const std::array<double, host_state_count>& thresholds_mib,
                                   double rise_margin = 0.0);

/// Static overhead memory of a VM in MiB (reference B.7 table, RM guide 6.5/6.7, VMX swap
/// and hardware MMU on): piecewise-linear interpolation of the table in memory size for
/// each of its vCPU columns (1, 2, 4, 8), then linear in vCPUs between columns; outside
/// the table the nearest segment is extended. Exact at the table's 16 points.
[[nodiscard]] double overhead_mib(double memory_mib, int vcpus);

/// Largest balloon of a VM in MiB (reference B.5): min(ctl_max_pct% of configured memory,
/// configured - reservation, maxmemctl). 16 GiB, no reservation, 65% -> 10649.6 MiB.
[[nodiscard]] double max_balloon_mib(
    double memory_mib, double reservation_mib, double ctl_max_pct,
    double maxmemctl_mib = std::numeric_limits<double>::infinity());

/// Size of a VM's compression cache in MiB: zip_max_pct% of its configured memory
/// (Mem.MemZipMaxPct, reference B.6: 20% of 1000 MB -> 200 MB).
[[nodiscard]] double zip_cache_mib(double memory_mib, double zip_max_pct);

/// Size of a VM's .vswp swap file in MiB: configured - reservation (reference B.7).
[[nodiscard]] double swap_file_mib(double memory_mib, double reservation_mib);

/// Shares-per-page ratio with the idle memory tax (reference B.1.6, Waldspurger 2002
/// sec. 5.2): rho = S / (P (f + k (1 - f))), k = 1 / (1 - tau). `shares` S, `pages` P
/// (allocated, any unit), `active_fraction` f in [0, 1], `tau` in [0, 1).
[[nodiscard]] double idle_tax_rho(double shares, double pages, double active_fraction, double tau);

/// Cost of one fault on an active page that is not resident, per kind (docs/memory.md,
/// "Fault-in and slowdown"). Defaults as in the parameters table (memory.fault.*).
struct FaultCosts {
  double guest_paging_s = 2e-3;   ///< one guest page-in after ballooning, seconds
  double decompress_s = 20e-6;    ///< one decompression from the compression cache, seconds
  double host_swap_in_s = 1e-3;   ///< one host swap-in, seconds
};

/// 4 KB pages per MiB.
inline constexpr double pages_per_mib = 256.0;

/// Progress factor in (0, 1] of a VM whose active memory is partly not resident:
/// `guest_paged_mib` paged out by the guest (balloon beyond its idle memory),
/// `compressed_mib` in the compression cache and `swapped_mib` in host swap. Every active
/// page is touched once per sample period `sample_period_s` (that is what "active" means,
/// reference B.1.7), so at progress p a VM takes p * N_j / T faults per second on the N_j
/// pages of kind j, each costing c_j: p = 1 - p * sum_j N_j c_j / T, that is
/// p = 1 / (1 + sum_j N_j c_j / T).
[[nodiscard]] double progress_factor(double guest_paged_mib, double compressed_mib,
                                     double swapped_mib, double sample_period_s,
                                     const FaultCosts& costs);

/// The TPS sharing group of a VM on a host (reference B.3, KB 2097593): VMs share
/// identical pages across VMs only when their keys are equal; std::nullopt means the VM
/// shares within itself only. `salting` is Mem.ShareForceSalting: 0 keys by guest image;
/// 1 and 2 key by guest image and sched.mem.pshare.salt (`salt`); without a salt, 1 gives
/// every such VM one common salt when `unset_salt_common` (KB 2097593: salt 0) and 2 gives
/// each VM its own (vc.uuid). An empty `guest_os` has no known image: intra-VM only.
[[nodiscard]] std::optional<std::string> share_group_key(int salting, std::string_view guest_os,
                                                          const std::optional<std::string>& salt,
                                                          bool unset_salt_common);

}  // namespace vdc::models::memory
