#pragma once
/// The memory model's parameters: VMware advanced settings by their own names (a host's
/// `advanced:` map) and model constants named "memory.*" (the scenario's `parameters:`).
/// MemoryParams holds them in the unit in which they are written; its member initialisers
/// are the defaults that `vdcsim describe memory` prints, so the two cannot drift apart.

#include <array>
#include <map>
#include <span>
#include <string>

#include "vdc/models/memory/memory_rules.hpp"
#include "vdc/models/parameters.hpp"

namespace vdc::models::memory {

/// Memory parameters of one host, each in the unit it is written in (VMware's own unit for
/// advanced settings). See parameters() for help text and references.
struct MemoryParams {
  // --- VMware advanced settings (host scope), reference sections in brackets ---
  double min_free_pct = 0.0;            ///< Mem.MemMinFreePct, %; 0 = sliding scale [B.2]
  double share_force_salting = 2.0;     ///< Mem.ShareForceSalting: 0, 1 or 2 [B.3]
  double share_scan_time_min = 60.0;    ///< Mem.ShareScanTime, minutes per whole VM [B.3]
  double share_scan_ghz = 4.0;          ///< Mem.ShareScanGHz, MB/s per GHz of host CPU [B.3]
  double alloc_guest_large_page = 1.0;  ///< Mem.AllocGuestLargePage: 1 = 2 MB pages [B.4]
  double idle_tax_pct = 75.0;           ///< Mem.IdleTax, % [B.1.6]
  double sample_period_s = 60.0;        ///< Mem.SamplePeriod, s between samples [B.1.7]
  double ctl_max_pct = 65.0;            ///< Mem.CtlMaxPercent, % of configured memory [B.5]
  double zip_enable = 1.0;              ///< Mem.MemZipEnable: 1 = compress first [B.6]
  double zip_max_pct = 10.0;            ///< Mem.MemZipMaxPct, % of VM memory [B.6]
  double balance_period_s = 15.0;       ///< Mem.BalancePeriod, s between steps [B.1.10]
  // --- model constants ---
  /// State thresholds, % of minFree, in HostState order (B.2; High 400 vs 300 conflict).
  std::array<double, host_state_count> state_pct{400.0, 100.0, 64.0, 32.0, 16.0};
  double rise_margin_pct = 0.0;         ///< extra margin above a threshold before rising, %
  double give_back_pct = 136.0;         ///< % of minFree free above which balloons deflate
  double touch_rate_mib_per_s = 32.0;   ///< first-touch rate of a running guest, MiB/s
  double unset_salt_common = 1.0;       ///< 1: under salting 1 an unset salt is common
  double zip_slot_fraction = 0.5;       ///< cache space of a compressed page, of a page [B.6]
  double idle_fast_gain = 0.5;          ///< gain of the fast active-fraction EWMA, per sample
  double idle_slow_gain = 0.1;          ///< gain of the slow active-fraction EWMA, per sample
  FaultCosts faults;                    ///< slowdown cost model
  double progress_notify_delta = 0.001; ///< smallest progress change told to listeners
  double publish_delta_mib = 1.0;       ///< smallest change of a published gauge, MiB
};

/// Every memory parameter, advanced settings first, in a stable order (for
/// models/registry.cpp and `vdcsim describe memory`).
[[nodiscard]] std::span<const ModelParameter> parameters();

/// The parameters of a host: `advanced` is HostConfig::advanced and `model` is
/// ScenarioConfig::parameters (both already validated by the loader); names not given keep
/// their defaults, names of other areas are ignored.
[[nodiscard]] MemoryParams resolve_parameters(const std::map<std::string, double>& advanced,
                                              const std::map<std::string, double>& model);

}  // namespace vdc::models::memory
