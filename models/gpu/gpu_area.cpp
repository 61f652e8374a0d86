// The GPU area: include/vdc/models/gpu/gpu_area.hpp.
#include "vdc/models/gpu/gpu_area.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "vdc/models/gpu/boards.hpp"
#include "vdc/models/gpu/gpu_rules.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/trace/trace_cache.hpp"
#include "vdc/models/workload/cpu_generator.hpp"

namespace vdc::models::gpu {
namespace {

constexpr std::array<ModelParameter, 3> params{{
    {"gpu", param_vgpus_per_vm, ParameterScope::model, ParameterUnit::none, 4, 1, 8,
     "most vGPUs a VM may have: 4 on vSphere 6.7 U3 to 7, where a VM with several takes full-framebuffer "
     "profiles only; 8 (or any value above 4) on vSphere 8, any profile",
     "C.2 [V: G8] up to 4 per VM, max-framebuffer profiles only; [V: G9] vSphere 8 up to 8; [V: G1, G7] vSphere "
     "7.x multi-vGPU only with full-framebuffer profiles"},
    {"gpu", param_long_slice_max, ParameterScope::model, ParameterUnit::none, 8, 1, 64,
     "time-sliced GPUs whose vGPU type allows at most this many per GPU get a 2 ms default time slice, "
     "the others 1 ms",
     "C.5 [V: G2 s7] table keyed on the type's maximum (<= 8: 2 ms / 480 Hz); UNCONFIRMED at exactly 8: "
     "the prose says 'eight or more' get 960 Hz"},
    {"gpu", param_hotmigrate, ParameterScope::model, ParameterUnit::none, 0, 0, 1,
     "vCenter's vgpu.hotmigrate.enabled: 1 lets vGPU VMs migrate with vMotion (never passthrough ones)",
     "C.6 [V: G10]"},
}};

double parameter(const ScenarioConfig& config, std::string_view name) {
  return parameter_value(config.parameters, params, name);
}

/// Expected stun time of a vGPU vMotion on 10 GbE by vGPU framebuffer (GB -> s), the
/// vSphere 7.0 table of reference C.6 (G10, V100 32 GB).
constexpr std::array<std::array<double, 2>, 7> stun_table{{{0, 0}, {1, 2}, {2, 4}, {4, 6}, {8, 12}, {16, 22}, {32, 39}}};
/// The link speed the table was measured on, Mbps.
constexpr double stun_table_mbps = 10000.0;

/// Stun time of moving `framebuffer_gb` of vGPU memory over a `link_mbps` vMotion link:
/// the table, interpolated linearly (extended beyond 32 GB by its last slope), scaled by
/// 10 GbE / the link (UNCONFIRMED: the sources give the table at 10 GbE only and say that
/// vSphere 8.0 U2 estimates with the slower of the two hosts' vMotion NICs).
double stun_seconds(double framebuffer_gb, double link_mbps) {
  std::size_t i = 1;
  while (i + 1 < stun_table.size() && framebuffer_gb > stun_table[i][0]) ++i;
  const auto& [x0, y0] = stun_table[i - 1];
  const auto& [x1, y1] = stun_table[i];
  const double at_10gbe = y0 + (framebuffer_gb - x0) * (y1 - y0) / (x1 - x0);
  return at_10gbe * stun_table_mbps / link_mbps;
}

/// A host's fastest NIC, Mbps; 10 GbE when it lists none.
double fastest_nic_mbps(const HostConfig& h) {
  double best = 0.0;
  for (const NicConfig& n : h.nics) best = std::max(best, n.speed_mbps);
  return best > 0.0 ? best : stun_table_mbps;
}

/// Fixed share of a vGPU type: 1 / its maximum per GPU in equal-size mode (reference C.5).
double fixed_share(const VgpuProfile* p) { return p == nullptr ? 1.0 : 1.0 / p->max_equal; }

class GpuArea final : public Area {
 public:
  explicit GpuArea(const AreaContext& ctx)
      : ctx_(ctx),
        vgpus_per_vm_(static_cast<std::size_t>(parameter(ctx.config, param_vgpus_per_vm))),
        long_slice_max_(static_cast<int>(parameter(ctx.config, param_long_slice_max))),
        hotmigrate_(parameter(ctx.config, param_hotmigrate) >= 0.5) {
    const ScenarioConfig& config = ctx.config;
    gpus_of_host_.resize(config.hosts.size());
    for (HostId h = 0; h < config.hosts.size(); ++h) {
      int index = 0;
      for (const GpuConfig& g : config.hosts[h].gpus) {
        const Board* board = find_board(g.model);
        if (board == nullptr) throw std::runtime_error(fmt::format("host {}: unknown GPU board '{}'", config.hosts[h].name, g.model));
        for (int k = 0; k < g.count; ++k, ++index) {
          gpus_of_host_[h].push_back(gpus_.size());
          Gpu gpu{h, index, PhysicalGpu(*board, g.mode, g.sizes), g.scheduler, {}, 0};
          if (g.rmpvmrl) gpu.reg = decode_rmpvmrl(*g.rmpvmrl);
          gpu.util = ctx.metrics.gauge(gpu_entity(config.hosts[h].name, index), gpu_util_pct);
          gpus_.push_back(std::move(gpu));
        }
      }
    }
    vms_.resize(config.vms.size());
    for (VmId v = 0; v < config.vms.size(); ++v) {
      const VmConfig& vc = config.vms[v];
      if (vc.vgpus.empty()) continue;
      Vm& vm = vms_[v];
      for (std::size_t k = 0; k < vc.vgpus.size(); ++k) {
        Slot s;
        if (!vc.vgpus[k].passthrough) {
          const auto ref = find_profile(vc.vgpus[k].profile);
          if (!ref) throw std::runtime_error(fmt::format("VM {}: unknown vGPU profile '{}'", vc.name, vc.vgpus[k].profile));
          s.profile = ref->profile;
          vm.board = ref->board;
        } else {
          vm.board = find_board(vc.vgpus[k].profile);
        }
        s.generator.emplace(vc.gpu_workload, ctx.config.seed, fmt::format("vm/{}/vgpu{}", vc.name, k),
                            sim::Time::from_ns(10'000'000));
        if (const auto* trace = std::get_if<TraceCpu>(&vc.gpu_workload)) s.generator->set_trace(trace::make_gpu_cursor(ctx.traces, *trace));
        vm.slots.push_back(std::move(s));
      }
      const std::string e = metric::vm_entity(vc.name);
      vm.demand = ctx.metrics.gauge(e, vm_gpu_demand_pct, ctx.series.keeps("gpu.vms"));
      vm.used = ctx.metrics.gauge(e, vm_gpu_used_pct, ctx.series.keeps("gpu.vms"));
      vm.wait = ctx.metrics.gauge(e, vm_gpu_wait_pct, ctx.series.keeps("gpu.vms"));
    }
  }

  std::optional<std::string> refusal(VmId v, HostId host) const override {
    const Vm& vm = vms_[v];
    if (vm.slots.empty()) return std::nullopt;
    const RunState::VmState& now = ctx_.state.vms[v];
    if (now.on && now.host && *now.host != host) {
      if (vm.slots.front().profile == nullptr) return std::string("a passthrough GPU (DirectPath I/O) cannot move with vMotion");
      if (!hotmigrate_) return std::string("vGPU vMotion needs vgpu.hotmigrate.enabled");
    }
    std::vector<std::size_t> chosen;
    return plan(v, host, chosen);
  }

  void power_on(VmId v, HostId host) override {
    if (vms_[v].slots.empty()) return;
    start(v, host);
  }

  void power_off(VmId v) override {
    if (vms_[v].slots.empty() || !vms_[v].on) return;
    stop(v);
  }

  void depart(VmId v, HostId from) override {
    if (vms_[v].slots.empty()) return;
    vms_[v].left = from;
    power_off(v);
  }

  void arrive(VmId v, HostId to) override {
    Vm& vm = vms_[v];
    if (vm.slots.empty()) return;
    // The stun of a vGPU vMotion: the framebuffer copied while the VM is stunned, over
    // the slower of the two hosts' links (the model does not track the framebuffer in use:
    // the profile's whole framebuffer counts).
    double framebuffer_gb = 0.0;
    for (const Slot& s : vm.slots) framebuffer_gb += (s.profile != nullptr ? s.profile->framebuffer_mib : vm.board->framebuffer_mib) / 1024.0;
    const double link = std::min(fastest_nic_mbps(ctx_.config.hosts[vm.left]), fastest_nic_mbps(ctx_.config.hosts[to]));
    const double stun = stun_seconds(framebuffer_gb, link);
    vm.stun_s += stun;
    ++vm.migrations;
    // Stunned, its vGPUs on the destination run nothing for the stun time: their demand
    // stands and waits (used 0, wait 100% of it), and the GPU's time goes to the others.
    vm.stunned = stun > 0.0;
    power_on(v, to);
    if (!vm.on) {
      vm.stunned = false;
      return;
    }
    const sim::Time end = ctx_.sim.now() + sim::Time::from_seconds(stun);
    if (!vm.stunned || end > ctx_.config.duration) return;
    const std::uint64_t epoch = vm.epoch;
    ctx_.sim.at(end, [this, v, epoch] {
      Vm& resumed = vms_[v];
      if (resumed.epoch != epoch || !resumed.on) return;
      resumed.stunned = false;
      for (const Slot& s : resumed.slots) share(s.gpu);
    });
  }

  void finish(sim::Time, RunResult& result) override {
    const ScenarioConfig& config = ctx_.config;
    ReportTable gpus{&gpus_table, {}};
    for (const Gpu& g : gpus_) {
      const PhysicalGpu& p = g.phys;
      // Each vGPU as report.json's gpus[].vgpus writes it: {vm, profile, start} (the MIG
      // start slice; null when time-sliced; profile "passthrough" for a whole GPU).
      std::vector<Record> resident;
      for (const Resident& r : p.residents()) {
        Record rec;
        rec.emplace_back("vm", config.vms[r.owner].name);
        rec.emplace_back("profile", r.profile == nullptr ? std::string("passthrough") : r.profile->name);
        if (r.start >= 0) rec.emplace_back("start", static_cast<double>(r.start));
        else rec.emplace_back("start", std::monostate{});
        resident.push_back(std::move(rec));
      }
      text(gpus, config.hosts[g.host].name);
      number(gpus, static_cast<double>(g.index));
      text(gpus, p.board().name);
      text(gpus, std::string(mode_name(p.mode())));
      const bool sliced = p.mode() == GpuMode::time_sliced;
      if (sliced) text(gpus, p.sizes() == GpuSizes::mixed ? "mixed" : "equal");
      else none(gpus);
      if (sliced) text(gpus, std::string(scheduler_name(g.scheduler)));
      else none(gpus);
      if (sliced && !p.residents().empty()) number(gpus, slice_ms(g));
      else none(gpus);
      gpus.cells.emplace_back(std::in_place_type<std::vector<Record>>, std::move(resident));
      number(gpus, static_cast<double>(p.residents().size()));
      number(gpus, p.allocated_mib());
      number(gpus, p.board().framebuffer_mib);
      number(gpus, 0.0);  // util_pct_avg: the description reads it from the GPU's gauge
    }
    result.tables.push_back(std::move(gpus));
    ReportTable vms{&gpu_vms_table, {}};
    for (VmId v = 0; v < vms_.size(); ++v) {
      const Vm& vm = vms_[v];
      if (vm.slots.empty()) continue;
      std::vector<std::string> profiles;
      std::vector<std::string> where;
      for (std::size_t k = 0; k < vm.slots.size(); ++k) {
        profiles.push_back(config.vms[v].vgpus[k].passthrough ? "passthrough:" + config.vms[v].vgpus[k].profile
                                                               : config.vms[v].vgpus[k].profile);
        if (vm.on) {
          const Gpu& g = gpus_[vm.slots[k].gpu];
          where.push_back(fmt::format("{}/{}", config.hosts[g.host].name, g.index));
        }
      }
      text(vms, config.vms[v].name);
      text(vms, vm.board->name);
      vms.cells.emplace_back(std::in_place_type<std::vector<std::string>>, std::move(profiles));
      vms.cells.emplace_back(std::in_place_type<std::vector<std::string>>, std::move(where));
      number(vms, static_cast<double>(vm.migrations));
      number(vms, vm.stun_s);
    }
    result.tables.push_back(std::move(vms));
  }

 private:
  // Cells built in place (a moved TableCell temporary trips GCC 12's maybe-uninitialized).
  static void text(ReportTable& t, std::string s) { t.cells.emplace_back(std::in_place_type<std::string>, std::move(s)); }
  static void number(ReportTable& t, double d) { t.cells.emplace_back(std::in_place_type<double>, d); }
  static void none(ReportTable& t) { t.cells.emplace_back(std::in_place_type<std::monostate>); }

  struct Gpu {
    HostId host = 0;
    int index = 0;
    PhysicalGpu phys;
    GpuScheduler scheduler = GpuScheduler::best_effort;
    std::optional<Rmpvmrl> reg;
    sim::MetricId util = 0;
  };
  struct Slot {
    const VgpuProfile* profile = nullptr;  // nullptr: passthrough
    std::optional<workload::VcpuGenerator> generator;
    std::size_t gpu = 0;                    // while on
    double demand = 0.0;                    // fraction of one GPU, capped at 1
    double used = 0.0;
  };
  struct Vm {
    const Board* board = nullptr;
    std::vector<Slot> slots;
    bool on = false;
    std::uint64_t epoch = 0;  // a demand change scheduled in an earlier epoch is void
    sim::MetricId demand = 0, used = 0, wait = 0;
    HostId left = 0;          // the host a migration leaves
    int migrations = 0;       // vGPU vMotions
    double stun_s = 0.0;      // their stun time, summed
    bool stunned = false;     // in a vGPU vMotion's stun: its vGPUs get no GPU time
  };

  double slice_ms(const Gpu& g) const {
    int type_max = 0;
    for (const Resident& r : g.phys.residents()) {
      if (r.profile != nullptr) type_max = std::max(type_max, r.profile->max_equal);
    }
    return time_slice_ms(g.reg, type_max, long_slice_max_);
  }

  /// The GPUs of `host` that take each of `v`'s vGPUs (each on its own GPU, first fit in
  /// the host's order), into `chosen`; or why there are none.
  std::optional<std::string> plan(VmId v, HostId host, std::vector<std::size_t>& chosen) const {
    const Vm& vm = vms_[v];
    const std::string& host_name = ctx_.config.hosts[host].name;
    if (vm.slots.size() > vgpus_per_vm_) {
      return fmt::format("{} vGPUs, and gpu.vgpus_per_vm allows {} per VM (8 on vSphere 8)", vm.slots.size(), vgpus_per_vm_);
    }
    if (vm.slots.size() > 1 && vgpus_per_vm_ <= 4) {
      for (const Slot& s : vm.slots) {
        if (s.profile != nullptr && s.profile->framebuffer_mib < vm.board->framebuffer_mib) {
          return fmt::format("{} vGPUs of {}: before vSphere 8 a VM with several vGPUs takes full-framebuffer profiles "
                             "only (gpu.vgpus_per_vm 8 on vSphere 8)",
                             vm.slots.size(), s.profile->name);
        }
      }
    }
    const std::vector<std::size_t>& here = gpus_of_host_[host];
    const bool any_board = std::any_of(here.begin(), here.end(), [&](std::size_t g) { return &gpus_[g].phys.board() == vm.board; });
    if (!any_board) {
      return here.empty() ? fmt::format("host {} has no GPU", host_name)
                          : fmt::format("host {} has no {} GPU", host_name, vm.board->name);
    }
    chosen.clear();
    for (std::size_t k = 0; k < vm.slots.size(); ++k) {
      const VgpuProfile* profile = vm.slots[k].profile;
      std::string why;
      std::optional<std::size_t> found;
      for (const std::size_t g : here) {
        const PhysicalGpu& p = gpus_[g].phys;
        if (&p.board() != vm.board || std::find(chosen.begin(), chosen.end(), g) != chosen.end()) continue;
        // Past 300 characters the reasons are not kept: only ask whether it fits.
        if (auto no = p.refusal(profile, why.size() < 300)) {
          if (why.size() < 300) why += fmt::format("{}GPU {}: {}", why.empty() ? "" : "; ", gpus_[g].index, *no);
          continue;
        }
        found = g;
        break;
      }
      if (!found) {
        const std::string name = profile != nullptr ? profile->name : "passthrough " + vm.board->name;
        const std::string which = vm.slots.size() > 1 ? fmt::format(" ({} of {})", k + 1, vm.slots.size()) : "";
        return fmt::format("no GPU of {} takes {}{}{}", host_name, name, which,
                           why.empty() ? std::string(": each of its GPUs already holds one of the VM's vGPUs")
                                       : ": " + why);
      }
      chosen.push_back(*found);
    }
    return std::nullopt;
  }

  void start(VmId v, HostId host) {
    Vm& vm = vms_[v];
    std::vector<std::size_t> chosen;
    if (plan(v, host, chosen)) return;  // the driver asked refusal() first; nothing to do
    vm.on = true;
    ++vm.epoch;
    const sim::Time now = ctx_.sim.now();
    for (std::size_t k = 0; k < vm.slots.size(); ++k) {
      Slot& s = vm.slots[k];
      s.gpu = chosen[k];
      gpus_[s.gpu].phys.place(v, s.profile);
      const workload::Level level = s.generator->level(now);
      s.demand = std::clamp(level.demand, 0.0, 1.0);
      schedule(v, k, level.until);
    }
    for (const std::size_t g : chosen) share(g);
  }

  void stop(VmId v) {
    Vm& vm = vms_[v];
    vm.on = false;
    vm.stunned = false;
    ++vm.epoch;
    std::vector<std::size_t> left;
    for (Slot& s : vm.slots) {
      gpus_[s.gpu].phys.remove(v);
      left.push_back(s.gpu);
      s.demand = 0.0;
      s.used = 0.0;
    }
    const sim::Time now = ctx_.sim.now();
    ctx_.metrics.set(vm.demand, now, 0.0);
    ctx_.metrics.set(vm.used, now, 0.0);
    ctx_.metrics.set(vm.wait, now, 0.0);
    for (const std::size_t g : left) share(g);
  }

  void schedule(VmId v, std::size_t k, sim::Time until) {
    if (until > ctx_.config.duration) return;
    const std::uint64_t epoch = vms_[v].epoch;
    ctx_.sim.at(until, [this, v, k, epoch] {
      Vm& vm = vms_[v];
      if (vm.epoch != epoch || !vm.on) return;
      Slot& s = vm.slots[k];
      const workload::Level level = s.generator->level(ctx_.sim.now());
      s.demand = std::clamp(level.demand, 0.0, 1.0);
      schedule(v, k, level.until);
      share(s.gpu);
    });
  }

  /// Shares GPU `g` among its vGPUs and publishes what each VM there gets.
  void share(std::size_t g) {
    Gpu& gpu = gpus_[g];
    const std::vector<Resident>& residents = gpu.phys.residents();
    const std::size_t n = residents.size();
    demand_.assign(n, 0.0);
    fixed_.assign(n, 0.0);
    used_.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const Slot& s = slot_of(residents[i].owner, g);
      demand_[i] = vms_[residents[i].owner].stunned ? 0.0 : s.demand;
      fixed_[i] = fixed_share(s.profile);
    }
    double util = 0.0;
    if (gpu.phys.mode() == GpuMode::time_sliced) {
      time_slice(gpu.scheduler, demand_, fixed_, used_);
      for (const double u : used_) util += u;
    } else {
      // MIG: each vGPU has its compute slices; passthrough: the whole GPU.
      for (std::size_t i = 0; i < n; ++i) {
        const VgpuProfile* p = residents[i].profile;
        const double cap = p != nullptr ? static_cast<double>(p->compute_slices) / mig_compute_slices : 1.0;
        used_[i] = std::min(demand_[i], cap);
        util += used_[i];
      }
    }
    const sim::Time now = ctx_.sim.now();
    ctx_.metrics.set(gpu.util, now, 100.0 * std::min(util, 1.0));
    for (std::size_t i = 0; i < n; ++i) {
      slot_of(residents[i].owner, g).used = used_[i];
      publish(residents[i].owner);
    }
  }

  Slot& slot_of(VmId v, std::size_t g) {
    for (Slot& s : vms_[v].slots) {
      if (s.gpu == g) return s;
    }
    return vms_[v].slots.front();  // unreachable: a resident has a slot on its GPU
  }

  void publish(VmId v) {
    const Vm& vm = vms_[v];
    double demand = 0.0;
    double used = 0.0;
    for (const Slot& s : vm.slots) {
      demand += s.demand;
      used += s.used;
    }
    const double k = static_cast<double>(vm.slots.size());
    const sim::Time now = ctx_.sim.now();
    ctx_.metrics.set(vm.demand, now, 100.0 * demand / k);
    ctx_.metrics.set(vm.used, now, 100.0 * used / k);
    ctx_.metrics.set(vm.wait, now, demand > 0.0 ? 100.0 * std::max(0.0, demand - used) / demand : 0.0);
  }

  AreaContext ctx_;
  std::size_t vgpus_per_vm_;
  int long_slice_max_;
  bool hotmigrate_;
  std::vector<Gpu> gpus_;
  std::vector<std::vector<std::size_t>> gpus_of_host_;
  std::vector<Vm> vms_;
  std::vector<double> demand_, fixed_, used_;  // scratch of share()
};

std::unique_ptr<Area> make(const AreaContext& ctx) { return std::make_unique<GpuArea>(ctx); }

constexpr std::array<MetricSpec, 3> metrics{{
    {EntityKind::vm, vm_gpu_demand_pct, "%", "GPU demand per vGPU, percent of one whole GPU"},
    {EntityKind::vm, vm_gpu_used_pct, "%", "GPU time (or MIG compute) a vGPU got, percent of one whole GPU"},
    {EntityKind::vm, vm_gpu_wait_pct, "%", "of the VM's GPU demand, the percent its vGPUs waited for"},
}};

constexpr std::array<SeriesGroup, 1> series{{
    {"gpu.vms", EntityKind::vm, vm_gpu_gauges.size(), 3, vm_gpu_used_pct, "GPU"},
}};

constexpr std::array<AreaSpec, 1> specs{{
    {"gpu", "", "vGPU placement (equal-size, mixed-size, MIG, passthrough) and time-sliced GPU scheduling",
     "host_profiles and hosts: gpus (model, count, mode, scheduler, sizes, RmPVMRL); vm_profiles and vms: vgpus "
     "(profile or passthrough), workload.gpu; parameters: gpu.*, vgpu.hotmigrate.enabled",
     "docs/gpu.md; docs/scenario.md \"GPUs\"", {}, metrics, series, &parameters, &make, &report_spec, &has_gpus},
}};

}  // namespace

std::string gpu_entity(std::string_view host, int index) { return fmt::format("gpu/{}/{}", host, index); }

std::span<const ModelParameter> parameters() { return params; }

bool has_gpus(const ScenarioConfig& config) {
  const bool hosts = std::any_of(config.hosts.begin(), config.hosts.end(), [](const HostConfig& h) { return !h.gpus.empty(); });
  const bool vms = std::any_of(config.vms.begin(), config.vms.end(), [](const VmConfig& v) { return !v.vgpus.empty(); });
  return hosts || vms;
}

std::span<const AreaSpec> area_specs() { return specs; }

}  // namespace vdc::models::gpu
