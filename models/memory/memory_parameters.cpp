#include "vdc/models/memory/memory_parameters.hpp"

#include <array>
#include <cstddef>

namespace vdc::models::memory {

namespace {

constexpr MemoryParams defaults{};

/// A parameter and the member of MemoryParams that holds it.
struct Entry {
  ModelParameter parameter;
  double& (*field)(MemoryParams&);
};

constexpr ModelParameter advanced(std::string_view name, ParameterUnit unit, double def,
                                  double lo, double hi, std::string_view help,
                                  std::string_view reference) {
  return {"memory", name, ParameterScope::advanced, unit, def, lo, hi, help, reference};
}

constexpr ModelParameter model(std::string_view name, ParameterUnit unit, double def, double lo,
                               double hi, std::string_view help, std::string_view reference) {
  return {"memory", name, ParameterScope::model, unit, def, lo, hi, help, reference};
}

using U = ParameterUnit;

constexpr std::array entries{
    Entry{advanced("Mem.MemMinFreePct", U::none, defaults.min_free_pct, 0, 50,
                   "minFree as a percent of host memory; 0 = sliding scale 6% of the first 4 GB, "
                   "4% of the next 8, 2% of the next 16, 1% of the rest",
                   "B.2 minFree sliding scale [S] (KB 1033687 via blogs)"),
          [](MemoryParams& p) -> double& { return p.min_free_pct; }},
    Entry{advanced("Mem.ShareForceSalting", U::none, defaults.share_force_salting, 0, 2,
                   "TPS salting: 0 shares across VMs of one guest image; 1 only across equal "
                   "sched.mem.pshare.salt; 2 as 1 but an unset salt is unique (intra-VM only)",
                   "B.3 KB 2097593 [P]"),
          [](MemoryParams& p) -> double& { return p.share_force_salting; }},
    Entry{advanced("Mem.ShareScanTime", U::none, defaults.share_scan_time_min, 1, 1440,
                   "minutes within which TPS scans a whole VM",
                   "B.3 vSphere 4.0 RM guide table B-2 [P]"),
          [](MemoryParams& p) -> double& { return p.share_scan_time_min; }},
    Entry{advanced("Mem.ShareScanGHz", U::none, defaults.share_scan_ghz, 0, 64,
                   "host TPS scan budget, MB/s per GHz of host CPU capacity (0 stops TPS)",
                   "B.3 vSphere 4.0 RM guide table B-2 [P]"),
          [](MemoryParams& p) -> double& { return p.share_scan_ghz; }},
    Entry{advanced("Mem.AllocGuestLargePage", U::none, defaults.alloc_guest_large_page, 0, 1,
                   "1 backs guest memory with 2 MB pages, which are not shared until broken "
                   "below the High threshold",
                   "B.4 KB 1021896 [P]"),
          [](MemoryParams& p) -> double& { return p.alloc_guest_large_page; }},
    Entry{advanced("Mem.IdleTax", U::none, defaults.idle_tax_pct, 0, 99,
                   "idle memory tax rate tau, percent: an idle page costs 1/(1-tau) active pages",
                   "B.1.6 Waldspurger 2002 sec. 5.2 [P]"),
          [](MemoryParams& p) -> double& { return p.idle_tax_pct; }},
    Entry{advanced("Mem.SamplePeriod", U::seconds, defaults.sample_period_s, 1, 3600,
                   "period of the active-memory sampling that feeds the idle tax",
                   "B.1.7 vSphere 4.0 RM guide table B-2 [P]"),
          [](MemoryParams& p) -> double& { return p.sample_period_s; }},
    Entry{advanced("Mem.CtlMaxPercent", U::none, defaults.ctl_max_pct, 0, 100,
                   "largest balloon of a VM, percent of its configured memory",
                   "B.5 vSphere 4.0 RM guide table B-2 [P]"),
          [](MemoryParams& p) -> double& { return p.ctl_max_pct; }},
    Entry{advanced("Mem.MemZipEnable", U::none, defaults.zip_enable, 0, 1,
                   "1 compresses a page chosen for swapping when it fits in 2 KB",
                   "B.6 RM guide 4.1/6.5 'Memory Compression': enabled by default [P]"),
          [](MemoryParams& p) -> double& { return p.zip_enable; }},
    Entry{advanced("Mem.MemZipMaxPct", U::none, defaults.zip_max_pct, 0, 100,
                   "compression cache size of a VM, percent of its configured memory",
                   "B.6 RM guide 6.7 [P]"),
          [](MemoryParams& p) -> double& { return p.zip_max_pct; }},
    Entry{advanced("Mem.BalancePeriod", U::seconds, defaults.balance_period_s, 1, 600,
                   "period of memory reallocation: the model's time step",
                   "B.1.10 vSphere 4.0 RM guide [P]"),
          [](MemoryParams& p) -> double& { return p.balance_period_s; }},
    Entry{model("memory.state.high_pct", U::none, defaults.state_pct[0], 100, 1000,
                "High threshold, % of minFree: below it large pages are broken lazily; Clear "
                "rises back to High at it",
                "B.2 Epping table [S]; UNCONFIRMED: 400 (Epping) vs 300 (codefunda)"),
          [](MemoryParams& p) -> double& { return p.state_pct[0]; }},
    Entry{model("memory.state.clear_pct", U::none, defaults.state_pct[1], 1, 1000,
                "Clear threshold, % of minFree: below it large pages are broken at once",
                "B.2 Epping table [S]"),
          [](MemoryParams& p) -> double& { return p.state_pct[1]; }},
    Entry{model("memory.state.soft_pct", U::none, defaults.state_pct[2], 1, 1000,
                "Soft threshold, % of minFree: below it the balloon reclaims",
                "B.2 yellow-bricks, Epping table [S]"),
          [](MemoryParams& p) -> double& { return p.state_pct[2]; }},
    Entry{model("memory.state.hard_pct", U::none, defaults.state_pct[3], 1, 1000,
                "Hard threshold, % of minFree: below it compression and swap reclaim, the "
                "balloon stops",
                "B.2 yellow-bricks, Epping table [S]"),
          [](MemoryParams& p) -> double& { return p.state_pct[3]; }},
    Entry{model("memory.state.low_pct", U::none, defaults.state_pct[4], 0, 1000,
                "Low threshold, % of minFree: below it VMs above target stop allocating",
                "B.2 yellow-bricks, Epping table [S]"),
          [](MemoryParams& p) -> double& { return p.state_pct[4]; }},
    Entry{model("memory.state.rise_margin_pct", U::none, defaults.rise_margin_pct, 0, 100,
                "margin, % of the higher threshold, that free memory must exceed before the "
                "host rises a state",
                "B.1.10 'significantly exceeding the higher threshold'; UNCONFIRMED: no number"),
          [](MemoryParams& p) -> double& { return p.rise_margin_pct; }},
    Entry{model("memory.state.give_back_pct", U::none, defaults.give_back_pct, 1, 1000,
                "free memory, % of minFree, above which balloons deflate (down to the Clear "
                "threshold); 100 + the width of the Soft band by default",
                "UNCONFIRMED: modelling choice; B.1.10 gives no number for giving memory back"),
          [](MemoryParams& p) -> double& { return p.give_back_pct; }},
    Entry{model("memory.touch_rate_mib_per_s", U::none, defaults.touch_rate_mib_per_s, 0.001,
                1e6, "MiB/s at which a running guest first touches memory until it reaches its "
                "workload's touched size",
                "UNCONFIRMED: modelling assumption (first-touch allocation, docs/memory.md)"),
          [](MemoryParams& p) -> double& { return p.touch_rate_mib_per_s; }},
    Entry{model("memory.tps.unset_salt_common", U::none, defaults.unset_salt_common, 0, 1,
                "1: with Mem.ShareForceSalting 1 VMs without sched.mem.pshare.salt share one "
                "common salt; 0: each has its own",
                "B.3; UNCONFIRMED: KB 2097593's table (salt 0 when unset) is not in the reference"),
          [](MemoryParams& p) -> double& { return p.unset_salt_common; }},
    Entry{model("memory.zip.slot_fraction", U::fraction, defaults.zip_slot_fraction, 0.25, 1,
                "cache space of one compressed 4 KB page (a 2 KB slot)",
                "B.6 'compressed to 2 KB or smaller' [P]; 1 KB quarter pages [S] not modelled"),
          [](MemoryParams& p) -> double& { return p.zip_slot_fraction; }},
    Entry{model("memory.idle.fast_gain", U::fraction, defaults.idle_fast_gain, 0.01, 1,
                "gain per sample of the fast EWMA of a VM's active fraction",
                "B.1.7 (max of slow, fast and current estimates) [P]; UNCONFIRMED: gain"),
          [](MemoryParams& p) -> double& { return p.idle_fast_gain; }},
    Entry{model("memory.idle.slow_gain", U::fraction, defaults.idle_slow_gain, 0.001, 1,
                "gain per sample of the slow EWMA of a VM's active fraction",
                "B.1.7 [P]; UNCONFIRMED: gain"),
          [](MemoryParams& p) -> double& { return p.idle_slow_gain; }},
    Entry{model("memory.fault.guest_paging_s", U::seconds, defaults.faults.guest_paging_s, 0, 1,
                "cost of one 4 KB guest page-in, when the balloon exceeds the guest's idle "
                "memory; slows the VM (docs/memory.md)",
                "UNCONFIRMED: order of magnitude of a disk page-in; no source in reference B"),
          [](MemoryParams& p) -> double& { return p.faults.guest_paging_s; }},
    Entry{model("memory.fault.decompress_s", U::seconds, defaults.faults.decompress_s, 0, 1,
                "cost of one fault on a compressed 4 KB page (decompression); slows the VM",
                "UNCONFIRMED: order of magnitude of a 4 KB decompression; no source in B"),
          [](MemoryParams& p) -> double& { return p.faults.decompress_s; }},
    Entry{model("memory.fault.host_swap_in_s", U::seconds, defaults.faults.host_swap_in_s, 0, 1,
                "cost of one fault on a host-swapped 4 KB page (swap-in); slows the VM",
                "UNCONFIRMED: order of magnitude of a disk page-in; no source in reference B"),
          [](MemoryParams& p) -> double& { return p.faults.host_swap_in_s; }},
    Entry{model("memory.progress_notify_delta", U::none, defaults.progress_notify_delta, 0, 1,
                "smallest change of a VM's progress factor reported to the CPU model",
                "modelling choice (docs/memory.md)"),
          [](MemoryParams& p) -> double& { return p.progress_notify_delta; }},
    Entry{model("memory.publish_delta_mib", U::mib, defaults.publish_delta_mib, 0, 1024,
                "smallest change of a memory gauge that is published to the metrics; a value "
                "reaching or leaving 0 is always published",
                "modelling choice (docs/memory.md): bounds report error, saves time at scale"),
          [](MemoryParams& p) -> double& { return p.publish_delta_mib; }},
};

template <std::size_t... I>
constexpr std::array<ModelParameter, sizeof...(I)> parameters_of(std::index_sequence<I...>) {
  return {entries[I].parameter...};
}

constexpr auto table = parameters_of(std::make_index_sequence<entries.size()>{});

}  // namespace

std::span<const ModelParameter> parameters() { return table; }

MemoryParams resolve_parameters(const std::map<std::string, double>& advanced_settings,
                                const std::map<std::string, double>& model_parameters) {
  MemoryParams p;
  for (const Entry& e : entries) {
    const auto& source = e.parameter.scope == ParameterScope::advanced ? advanced_settings
                                                                       : model_parameters;
    if (const auto it = source.find(std::string(e.parameter.name)); it != source.end()) {
      e.field(p) = it->second;
    }
  }
  return p;
}

}  // namespace vdc::models::memory
