// The storage area: include/vdc/models/storage/storage_area.hpp, docs/storage.md.
#include "vdc/models/storage/storage_area.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "vdc/models/metric_names.hpp"
#include "vdc/models/network/network_area.hpp"
#include "vdc/models/storage/storage_rules.hpp"
#include "vdc/models/trace/trace_cache.hpp"
#include "vdc/models/trace/trace_cursor.hpp"

namespace vdc::models::storage {
namespace {

using U = ParameterUnit;

constexpr std::array<ModelParameter, 7> params{{
    {"storage", param_repair_delay, ParameterScope::model, U::seconds, 3600.0, 0.0, 86400.0 * 7,
     "vSAN's VSAN.ClomRepairDelay: how long components of a failed host stay absent before vSAN rebuilds them "
     "elsewhere (a device error rebuilds at once)",
     "B.3 [V: S9, KB 315568] 60 minutes"},
    {"storage", param_failure_stall, ParameterScope::model, U::seconds, 6.0, 0.0, 60.0,
     "how long I/O to the objects of a failed vSAN host pauses while vSAN re-evaluates their availability",
     "B.3 [V: S9] 5-7 s; the middle of that range"},
    {"storage", param_slack_pct, ParameterScope::model, U::none, 25.0, 0.0, 100.0,
     "vSAN slack space to keep free, percent of raw capacity: below it the datastore is reported short of slack",
     "B.3 [V: S11] 25-30%; the lower end"},
    {"storage", param_vmfs_max_disk, ParameterScope::model, U::none, 62.0 * 1024.0, 1.0, 64.0 * 1024.0,
     "largest virtual disk on VMFS 5 and 6, GiB (62 TiB)", "B.1 UNCONFIRMED: config-max document not retrieved"},
    {"storage", param_trace_kb, ParameterScope::model, U::none, 1024.0, 1000.0, 1024.0,
     "bytes per KB of a Bitbrains disk column (disk_read_kbps, disk_write_kbps)",
     "UNCONFIRMED: the traces' SOURCE.txt says KB/s without saying the KB"},
    {"storage", param_reservation_hold, ParameterScope::model, U::seconds, 0.01, 0.0, 1.0,
     "how long a SCSI reservation holds a whole VMFS device (ATS+SCSI locking) for one metadata update",
     "B.1 [V: S2] a reservation locks the device during the update; its length UNCONFIRMED"},
    {"storage", param_vvol_config_gib, ParameterScope::model, U::none, 4.0, 0.0, 256.0,
     "size of a VM's config vVol, GiB", "B.4 [V: S12] 4 GB"},
}};

/// Per-host component limits (reference B.3: OSA 9,000 per host; ESA 27,000).
constexpr int kOsaComponentsPerHost = 9000;
constexpr int kEsaComponentsPerHost = 27000;

/// IO-weighted latencies over the measured window: their mean and their 95th percentile
/// (of commands, not of time).
class LatencyLog {
 public:
  void set(double t, double latency_ms, double iops, double warmup) {
    close(t, warmup);
    t0_ = t;
    latency_ = latency_ms;
    iops_ = iops;
  }
  void close(double t, double warmup) {
    const double from = std::max(t0_, warmup);
    if (t > from && iops_ > 0.0) {
      const double ios = iops_ * (t - from);
      total_ += ios;
      weighted_ += ios * latency_;
      if (!pieces_.empty() && pieces_.back().first == latency_) pieces_.back().second += ios;
      else pieces_.emplace_back(latency_, ios);
    }
    t0_ = std::max(t0_, t);
  }
  [[nodiscard]] double ios() const { return total_; }
  [[nodiscard]] double mean() const { return total_ > 0.0 ? weighted_ / total_ : 0.0; }
  [[nodiscard]] double p95() {
    if (total_ <= 0.0) return 0.0;
    std::sort(pieces_.begin(), pieces_.end());
    double seen = 0.0;
    for (const auto& [lat, ios] : pieces_) {
      seen += ios;
      if (seen >= 0.95 * total_ * (1.0 - 1e-12)) return lat;
    }
    return pieces_.back().first;
  }

 private:
  double t0_ = 0.0;
  double latency_ = 0.0;
  double iops_ = 0.0;
  double total_ = 0.0;
  double weighted_ = 0.0;
  std::vector<std::pair<double, double>> pieces_;
};

/// Time during which a condition held, within the measured window.
struct TimeOver {
  bool on = false;
  double since = 0.0;
  double total = 0.0;
  void set(bool now_on, double t, double warmup) {
    if (on && !now_on) total += std::max(0.0, t - std::max(since, warmup));
    if (!on && now_on) since = t;
    on = now_on;
  }
  [[nodiscard]] double until(double t, double warmup) const {
    return total + (on ? std::max(0.0, t - std::max(since, warmup)) : 0.0);
  }
};

enum class ObjectKind { namespace_, disk, swap, delta };

/// A piece of a vSAN object on one host: a replica or a witness (RAID-1), or a column.
struct Piece {
  HostId host = 0;
  bool alive = true;
  bool rebuilding = false;
};

struct Object {
  std::size_t ds = 0;
  VmId vm = 0;
  ObjectKind kind = ObjectKind::disk;
  std::size_t disk = 0;  // the VM's disk (disk and delta objects)
  Scheme scheme;
  double size_gib = 0.0;
  double used_gib = 0.0;  // logical GiB written or reserved
  int per_piece = 1;      // components of a data piece
  std::vector<Piece> pieces;
  bool exists = true;
  bool waiting = false;   // absent pieces waiting for the repair delay
  std::uint64_t epoch = 0;
  [[nodiscard]] bool is_witness(std::size_t i) const {
    return scheme.raid == RaidLevel::raid1 && static_cast<int>(i) >= scheme.replicas;
  }
  [[nodiscard]] double piece_raw(std::size_t i) const {
    if (is_witness(i)) return 0.0;
    return used_gib / scheme.data;
  }
  [[nodiscard]] int piece_components(std::size_t i) const { return is_witness(i) ? 1 : per_piece; }
  [[nodiscard]] int components() const {
    int n = 0;
    for (std::size_t i = 0; i < pieces.size(); ++i) n += piece_components(i);
    return n;
  }
  [[nodiscard]] bool readable() const {
    std::array<bool, 16> alive{};  // at most 7 pieces (RAID-1 FTT=3)
    const std::size_t n = std::min(pieces.size(), alive.size());
    for (std::size_t i = 0; i < n; ++i) alive[i] = pieces[i].alive;
    return accessible(scheme, std::span<const bool>(alive.data(), n));
  }
  [[nodiscard]] std::string_view state() const {
    if (!readable()) return "inaccessible";
    bool all = true;
    bool rebuilding = false;
    for (const Piece& p : pieces) {
      all = all && p.alive;
      rebuilding = rebuilding || p.rebuilding;
    }
    if (all) return "compliant";
    if (rebuilding) return "degraded";
    if (waiting) return "absent";
    return "reduced_availability";
  }
};

struct HostPart {
  double cmds = 0.0, read_mb = 0.0, written_mb = 0.0, davg_x = 0.0, kavg_x = 0.0, queued = 0.0;
};

struct Datastore {
  const DatastoreConfig* cfg = nullptr;
  std::vector<char> mounts;  // per host
  double used = 0.0;         // GiB (vSAN: raw on hosts that are up)
  double provisioned = 0.0;  // GiB (vSAN: raw if every object were full)
  double capacity = 0.0;     // GiB (vSAN: raw of the hosts that are up with their devices)
  // vSAN
  std::vector<double> host_raw;        // raw used per host
  std::vector<int> host_components;    // components per host
  std::vector<char> device_ok;         // per host: its capacity devices work
  double resync_gib = 0.0;
  // I/O
  std::vector<VmId> vms;  // VMs with a disk here, in VM order
  bool dirty = false;
  TimeOver throttled;
  LatencyLog latency;
  std::vector<HostPart> parts;  // per host: its last contribution to the host's esxtop
  int scsi_reservations = 0;
  double reserved_s = 0.0;
  sim::MetricId g_capacity = 0, g_used = 0, g_used_pct = 0, g_provisioned = 0, g_iops = 0, g_latency = 0, g_throttled = 0;
};

struct Disk {
  VmId vm = 0;
  std::size_t ds = 0;
  const DiskConfig* cfg = nullptr;
  double consumed = 0.0;  // GiB on the datastore (not vSAN)
  std::optional<std::size_t> object;
  double delta_gib = 0.0;        // snapshot deltas, GiB (logical)
  double delta_rate = 0.0;       // GiB/s while the VM runs
  std::vector<std::size_t> deltas;  // vSAN delta objects
};

struct DiskShare {
  std::size_t ds = 0;
  double weight = 0.0;     // share of the VM's I/O (its disk sizes here over all)
  double backend = 1.0;    // backend commands per guest write on this datastore
  double iops = 0.0;       // served, last solve
  double latency_ms = 0.0; // last solve
};

struct Vm {
  std::vector<std::size_t> disks;
  std::optional<std::string> refusal;  // disks that could not be created
  bool on = false;
  HostId host = 0;
  double demand = 0.0;  // guest commands per second asked
  double read = 0.7;
  double block = 8192.0;
  double outstanding = 8.0;
  std::optional<trace::TraceCursor> read_trace, write_trace;
  std::uint64_t epoch = 0;
  std::vector<DiskShare> shares;
  sim::Time stall_until;
  double swap_gib = 0.0;
  std::optional<std::size_t> swap_object;
  bool swap_on = false;
  LatencyLog latency;
  double published_iops = 0.0, published_latency = 0.0;  // what publish_vm last wrote
  sim::MetricId g_iops = 0, g_latency = 0, g_provisioned = 0, g_used = 0;
  bool has_gauges = false;
};

struct Rebuild {
  std::size_t object = 0;
  std::size_t piece = 0;
  HostId from = 0;
  HostId to = 0;
  double gib = 0.0;
};

std::string_view kind_name(DatastoreKind k) {
  switch (k) {
    case DatastoreKind::vmfs: return "vmfs";
    case DatastoreKind::nfs: return "nfs";
    case DatastoreKind::vsan: return "vsan";
    case DatastoreKind::vvols: return "vvols";
  }
  return "";
}

std::string_view provisioning_name(Provisioning p) {
  switch (p) {
    case Provisioning::thin: return "thin";
    case Provisioning::lazy_zeroed: return "lazy_zeroed";
    case Provisioning::eager_zeroed: return "eager_zeroed";
  }
  return "";
}

constexpr double kMiB = 1024.0 * 1024.0;

class StorageArea final : public Area {
 public:
  explicit StorageArea(const AreaContext& ctx)
      : ctx_(ctx),
        config_(ctx.config),
        repair_delay_(parameter(config_, param_repair_delay)),
        stall_(parameter(config_, param_failure_stall)),
        kb_(parameter(config_, param_trace_kb)),
        hold_(parameter(config_, param_reservation_hold)),
        vvol_config_gib_(parameter(config_, param_vvol_config_gib)),
        warmup_(config_.warmup.seconds()),
        network_(config_.network.present) {
    const std::size_t hosts = config_.hosts.size();
    host_totals_.resize(hosts);
    host_gauges_.resize(hosts);
    host_has_gauges_.assign(hosts, false);
    for (const DatastoreConfig& c : config_.storage.datastores) {
      Datastore d;
      d.cfg = &c;
      d.mounts.assign(hosts, 0);
      for (const int h : c.host_ids) {
        if (h >= 0) d.mounts[static_cast<std::size_t>(h)] = 1;
      }
      d.host_raw.assign(hosts, 0.0);
      d.host_components.assign(hosts, 0);
      d.device_ok.assign(hosts, 1);
      d.parts.resize(hosts);
      const std::string e = datastore_entity(c.name);
      d.g_capacity = ctx.metrics.gauge(e, ds_capacity_gib, true);
      d.g_used = ctx.metrics.gauge(e, ds_used_gib, true);
      d.g_used_pct = ctx.metrics.gauge(e, ds_used_pct, true);
      d.g_provisioned = ctx.metrics.gauge(e, ds_provisioned_gib, true);
      d.g_iops = ctx.metrics.gauge(e, ds_iops, true);
      d.g_latency = ctx.metrics.gauge(e, ds_latency_ms, true);
      d.g_throttled = ctx.metrics.gauge(e, ds_throttled);
      datastores_.push_back(std::move(d));
    }
    for (std::size_t i = 0; i < datastores_.size(); ++i) space_changed(i);
    vms_.resize(config_.vms.size());
    refused_.resize(config_.vms.size());
    for (VmId v = 0; v < config_.vms.size(); ++v) create_disks(v);
    if (network_) {
      ctx.signals.get<network::TransferDone>().connect([this](const network::TransferDone& d) {
        const auto it = transfers_.find(d.id);
        if (it == transfers_.end()) return;
        const Rebuild r = it->second;
        transfers_.erase(it);
        rebuilt(r);
      });
    }
    for (const EventConfig& e : config_.events) {
      if (e.kind != EventKind::device_error || e.target_id < 0 || e.at > config_.duration) continue;
      const auto h = static_cast<HostId>(e.target_id);
      ctx.sim.at(e.at, [this, h] { device_error(h); });
    }
    bool snapshots = false;
    for (const VmConfig& vc : config_.vms) snapshots = snapshots || !vc.snapshots.empty();
    if (snapshots) schedule_snapshots();
  }

  std::optional<std::string> refusal(VmId v, HostId host) const override {
    auto why = refusal_of(v, host);
    refused_[v] = why.value_or(std::string());
    return why;
  }

  std::optional<std::string> refusal_of(VmId v, HostId host) const {
    const Vm& vm = vms_[v];
    if (vm.refusal) return vm.refusal;
    const VmConfig& vc = config_.vms[v];
    for (const std::size_t k : vm.disks) {
      const Disk& d = disks_[k];
      const Datastore& ds = datastores_[d.ds];
      if (!ds.mounts[host]) return fmt::format("host {} does not mount datastore {}", config_.hosts[host].name, ds.cfg->name);
      if (d.object && !objects_[*d.object].readable()) {
        return fmt::format("its disk on {} is inaccessible (vSAN lost the quorum of its components)", ds.cfg->name);
      }
    }
    if (vm.disks.empty() || vm.on) return std::nullopt;
    const Datastore& home = datastores_[disks_[vm.disks.front()].ds];
    const double swap = swap_gib(vc);
    if (home.cfg->kind != DatastoreKind::vsan && swap > free_gib(home) + 1e-9) {
      return fmt::format("its {:.1f} GiB swap file does not fit on {} ({:.1f} GiB free)", swap, home.cfg->name,
                         std::max(0.0, free_gib(home)));
    }
    if (home.cfg->kind == DatastoreKind::vsan && swap > 0.0) {
      std::string why;
      if (!place_object(disks_[vm.disks.front()].ds, home.cfg->default_policy, swap, 0.0, 1, nullptr, &why)) {
        return fmt::format("its swap object does not fit on {}: {}", home.cfg->name, why);
      }
    }
    return std::nullopt;
  }

  void power_on(VmId v, HostId host) override {
    Vm& vm = vms_[v];
    if (vm.disks.empty() || vm.refusal) return;
    vm.on = true;
    vm.host = host;
    ++vm.epoch;
    create_swap(v);
    metadata_update(disks_[vm.disks.front()].ds);
    start_io(v);
  }

  void power_off(VmId v) override {
    Vm& vm = vms_[v];
    if (!vm.on) return;
    vm.on = false;
    ++vm.epoch;
    remove_swap(v);
    metadata_update(disks_[vm.disks.front()].ds);
    vm.demand = 0.0;
    touch_vm(v);
  }

  void depart(VmId v, HostId) override {
    Vm& vm = vms_[v];
    if (!vm.on) return;
    // The VM's worlds leave the source host's queues; its files stay where they are.
    vm.on = false;
    touch_vm(v);
  }

  void arrive(VmId v, HostId to) override {
    Vm& vm = vms_[v];
    if (vm.disks.empty() || vm.refusal) return;
    vm.on = true;
    vm.host = to;
    metadata_update(disks_[vm.disks.front()].ds);
    touch_vm(v);
  }

  void host_failed(HostId host) override {
    const sim::Time now = ctx_.sim.now();
    for (std::size_t o = 0; o < objects_.size(); ++o) {
      Object& obj = objects_[o];
      if (!obj.exists || !lose_pieces(obj, host)) continue;
      event(obj, obj.readable() ? "absent" : "inaccessible",
            fmt::format("host {} failed; rebuild after {:g} min if it does not return", config_.hosts[host].name,
                        repair_delay_ / 60.0));
      obj.waiting = true;
      const std::uint64_t epoch = ++obj.epoch;
      ctx_.sim.at(now + sim::Time::from_seconds(repair_delay_), [this, o, epoch] {
        Object& ob = objects_[o];
        if (ob.epoch != epoch || !ob.exists) return;
        ob.waiting = false;
        rebuild(o);
      });
      // I/O to the object pauses while vSAN re-evaluates it.
      Vm& vm = vms_[obj.vm];
      if (vm.on && stall_ > 0.0) {
        vm.stall_until = now + sim::Time::from_seconds(stall_);
        const std::uint64_t ve = vm.epoch;
        const VmId v = obj.vm;
        ctx_.sim.at(vm.stall_until, [this, v, ve] {
          if (vms_[v].epoch == ve) touch_vm(v);
        });
        touch_vm(obj.vm);
      }
    }
    for (std::size_t i = 0; i < datastores_.size(); ++i) {
      if (datastores_[i].cfg->kind == DatastoreKind::vsan && datastores_[i].mounts[host]) {
        space_changed(i);
        mark(i);
      }
    }
  }

  void host_restored(HostId host) override {
    for (std::size_t o = 0; o < objects_.size(); ++o) {
      Object& obj = objects_[o];
      if (!obj.exists) continue;
      bool back = false;
      for (Piece& p : obj.pieces) {
        if (p.host == host && !p.alive && !p.rebuilding && datastores_[obj.ds].device_ok[host]) {
          p.alive = true;
          back = true;
        }
      }
      if (back) {
        bool all = true;
        for (const Piece& p : obj.pieces) all = all && p.alive;
        if (all) {
          obj.waiting = false;
          ++obj.epoch;
        }
        event(obj, std::string(obj.state()), fmt::format("host {} returned; its components resynchronise", config_.hosts[host].name));
      }
    }
    // Objects that waited for a host to rebuild on may now have one.
    for (std::size_t o = 0; o < objects_.size(); ++o) {
      const Object& obj = objects_[o];
      if (obj.exists && !obj.waiting && obj.state() == "reduced_availability") rebuild(o);
    }
    for (std::size_t i = 0; i < datastores_.size(); ++i) {
      if (datastores_[i].cfg->kind == DatastoreKind::vsan && datastores_[i].mounts[host]) {
        space_changed(i);
        mark(i);
      }
    }
  }

  void finish(sim::Time end, RunResult& result) override {
    const double t = end.seconds();
    const double window = std::max(0.0, t - warmup_);
    ReportTable dst{&table_spec(Table::datastores), {}};
    const double slack_pct = parameter(config_, param_slack_pct);
    for (std::size_t i = 0; i < datastores_.size(); ++i) {
      Datastore& d = datastores_[i];
      d.latency.close(t, warmup_);
      const bool vsan = d.cfg->kind == DatastoreKind::vsan;
      dst.add(std::string(d.cfg->name));
      dst.add(std::string(kind_name(d.cfg->kind)));
      dst.add(d.capacity);
      dst.add(d.provisioned);
      dst.add(d.used);
      dst.add(std::max(0.0, d.capacity - d.used));
      dst.add(d.capacity > 0.0 ? d.provisioned / d.capacity : 0.0);
      dst.add(window > 0.0 ? d.latency.ios() / window : 0.0);
      dst.add(d.latency.mean());
      dst.add(d.latency.p95());
      dst.add(window > 0.0 ? 100.0 * d.throttled.until(t, warmup_) / window : 0.0);
      dst.add(static_cast<double>(d.scsi_reservations));
      if (vsan) {
        int components = 0;
        int inaccessible = 0;
        for (const Object& o : objects_) {
          if (!o.exists || o.ds != i) continue;
          components += o.components();
          if (!o.readable()) ++inaccessible;
        }
        dst.add(d.capacity);
        dst.add(d.used);
        dst.add(std::max(0.0, d.capacity - d.used));
        dst.add(d.capacity * slack_pct / 100.0);
        dst.add(static_cast<double>(components));
        dst.add(static_cast<double>(inaccessible));
        dst.add(d.resync_gib);
      } else {
        for (int k = 0; k < 7; ++k) dst.add(std::monostate{});
      }
    }
    result.tables.push_back(std::move(dst));

    ReportTable disks{&table_spec(Table::disks), {}};
    for (const Disk& d : disks_) {
      const Datastore& ds = datastores_[d.ds];
      disks.add(std::string(config_.vms[d.vm].name));
      disks.add(std::string(ds.cfg->name));
      if (d.object) disks.add(std::string(policy_name(*d.cfg)));
      else disks.add(std::monostate{});
      disks.add(d.cfg->size_gib);
      disks.add(std::string(provisioning_name(d.cfg->provisioning)));
      if (d.object) {
        const Object& o = objects_[*d.object];
        disks.add(o.used_gib * o.scheme.multiplier);
        disks.add(static_cast<double>(o.components()));
        disks.add(std::string(o.state()));
      } else {
        disks.add(d.consumed + d.delta_gib);
        disks.add(0.0);
        disks.add(std::string("compliant"));
      }
      const std::string_view format = snapshot_format(d);
      if (format.empty()) disks.add(std::monostate{});
      else disks.add(std::string(format));
      disks.add(d.delta_gib);
    }
    result.tables.push_back(std::move(disks));
    result.tables.push_back(std::move(events_));

    ReportTable vms{&table_spec(Table::vms), {}};
    for (VmId v = 0; v < vms_.size(); ++v) {
      Vm& vm = vms_[v];
      if (config_.vms[v].disks.empty()) continue;
      vm.latency.close(t, warmup_);
      double provisioned = 0.0;
      double used = 0.0;
      for (const std::size_t k : vm.disks) {
        const Disk& d = disks_[k];
        // vSAN: raw if full, as the datastore counts it.
        provisioned += d.object ? (d.cfg->size_gib + d.delta_gib) * objects_[*d.object].scheme.multiplier
                                : d.cfg->size_gib + d.delta_gib;
        used += d.object ? objects_[*d.object].used_gib * objects_[*d.object].scheme.multiplier : d.consumed + d.delta_gib;
        for (const std::size_t o : d.deltas) used += objects_[o].used_gib * objects_[o].scheme.multiplier;
      }
      if (vm.swap_on) {
        provisioned += vm.swap_object ? vm.swap_gib * objects_[*vm.swap_object].scheme.multiplier : vm.swap_gib;
        if (!vm.swap_object) used += vm.swap_gib;
      }
      vms.add(std::string(config_.vms[v].name));
      vms.add(provisioned);
      vms.add(used);
      vms.add(window > 0.0 ? vm.latency.ios() / window : 0.0);
      vms.add(vm.latency.mean());
      vms.add(vm.latency.p95());
      if (refused_[v].empty()) vms.add(std::monostate{});
      else vms.add(refused_[v]);
    }
    result.tables.push_back(std::move(vms));
  }

 private:
  // ---- space -------------------------------------------------------------------------

  static double swap_gib(const VmConfig& vc) { return std::max(0.0, vc.memory_mib - vc.mem.reservation) / 1024.0; }

  double free_gib(const Datastore& d) const { return d.capacity - d.used; }

  std::string_view policy_name(const DiskConfig& d) const {
    if (d.policy_id >= 0) return config_.storage.policies[static_cast<std::size_t>(d.policy_id)].name;
    return "default";
  }

  const StoragePolicyConfig& policy_of(const DiskConfig& d, const Datastore& ds) const {
    if (d.policy_id >= 0) return config_.storage.policies[static_cast<std::size_t>(d.policy_id)];
    return ds.cfg->default_policy;
  }

  /// The format of a disk's snapshot deltas on VMFS (reference B.5): SEsparse on VMFS 6
  /// and for disks of 2 TiB or more on VMFS 5, VMFSsparse (a redo log) below; empty
  /// elsewhere or without a snapshot.
  std::string_view snapshot_format(const Disk& d) const {
    if (d.delta_rate <= 0.0 && d.deltas.empty()) return "";
    const DatastoreConfig& c = *datastores_[d.ds].cfg;
    if (c.kind != DatastoreKind::vmfs) return "";
    return c.version >= 6 || d.cfg->size_gib >= 2048.0 ? "sesparse" : "vmfssparse";
  }

  /// Recomputes a datastore's capacity, used and provisioned space and publishes them.
  void space_changed(std::size_t i) {
    Datastore& d = datastores_[i];
    const auto& state = ctx_.state;
    if (d.cfg->kind == DatastoreKind::vsan) {
      d.capacity = 0.0;
      d.used = 0.0;
      for (HostId h = 0; h < d.mounts.size(); ++h) {
        if (!d.mounts[h] || !state.hosts[h].up || !d.device_ok[h]) continue;
        d.capacity += d.cfg->capacity_per_host_gib;
        d.used += d.host_raw[h];
      }
    } else {
      d.capacity = d.cfg->capacity_gib;
    }
    const sim::Time now = ctx_.sim.now();
    ctx_.metrics.set(d.g_capacity, now, d.capacity);
    ctx_.metrics.set(d.g_used, now, d.used);
    ctx_.metrics.set(d.g_used_pct, now, d.capacity > 0.0 ? 100.0 * d.used / d.capacity : 0.0);
    ctx_.metrics.set(d.g_provisioned, now, d.provisioned);
  }

  /// Lays an object of `size_gib` (`used_gib` of it taken now) out on vSAN datastore `i`:
  /// the hosts with the least raw used first, each piece on a host of its own with room
  /// for it. Fills `out` when given; says why not in `why`.
  bool place_object(std::size_t i, const StoragePolicyConfig& policy, double size_gib, double used_gib, int stripes,
                    Object* out, std::string* why) const {
    const Datastore& d = datastores_[i];
    std::vector<HostId> hosts;
    for (HostId h = 0; h < d.mounts.size(); ++h) {
      if (d.mounts[h] && ctx_.state.hosts[h].up && d.device_ok[h]) hosts.push_back(h);
    }
    const auto s = scheme(policy, d.cfg->architecture, d.cfg->all_flash, static_cast<int>(hosts.size()), why);
    if (!s) return false;
    Object o;
    o.ds = i;
    o.scheme = *s;
    o.size_gib = size_gib;
    o.used_gib = used_gib;
    o.per_piece = components_per_piece(*s, size_gib, stripes);
    std::stable_sort(hosts.begin(), hosts.end(), [&](HostId a, HostId b) { return d.host_raw[a] < d.host_raw[b]; });
    const int limit = d.cfg->architecture == VsanArchitecture::esa ? kEsaComponentsPerHost : kOsaComponentsPerHost;
    std::size_t next = 0;
    for (int p = 0; p < s->width(); ++p) {
      o.pieces.push_back(Piece{});
      const double raw = o.piece_raw(o.pieces.size() - 1);
      const int comps = o.piece_components(o.pieces.size() - 1);
      bool placed = false;
      while (next < hosts.size()) {
        const HostId h = hosts[next++];
        if (d.cfg->capacity_per_host_gib - d.host_raw[h] + 1e-9 < raw || d.host_components[h] + comps > limit) continue;
        o.pieces.back().host = h;
        placed = true;
        break;
      }
      if (!placed) {
        if (why != nullptr) {
          *why = fmt::format("FTT={} RAID-{} needs {} hosts with room for a {:.1f} GiB piece; {} of the cluster's hosts have it",
                             policy.ftt, static_cast<int>(policy.raid), s->width(), raw, p);
        }
        return false;
      }
    }
    if (out != nullptr) *out = std::move(o);
    return true;
  }

  std::size_t add_object(Object o) {
    Datastore& d = datastores_[o.ds];
    for (std::size_t p = 0; p < o.pieces.size(); ++p) {
      d.host_raw[o.pieces[p].host] += o.piece_raw(p);
      d.host_components[o.pieces[p].host] += o.piece_components(p);
    }
    d.provisioned += o.size_gib * o.scheme.multiplier;
    objects_.push_back(std::move(o));
    return objects_.size() - 1;
  }

  void drop_object(std::size_t i) {
    Object& o = objects_[i];
    if (!o.exists) return;
    Datastore& d = datastores_[o.ds];
    for (std::size_t p = 0; p < o.pieces.size(); ++p) {
      d.host_raw[o.pieces[p].host] -= o.piece_raw(p);
      d.host_components[o.pieces[p].host] -= o.piece_components(p);
    }
    d.provisioned -= o.size_gib * o.scheme.multiplier;
    o.exists = false;
    ++o.epoch;
  }

  /// Grows object `i` by `gib` logical (a snapshot delta filling).
  void grow_object(std::size_t i, double gib) {
    Object& o = objects_[i];
    Datastore& d = datastores_[o.ds];
    for (std::size_t p = 0; p < o.pieces.size(); ++p) d.host_raw[o.pieces[p].host] -= o.piece_raw(p);
    o.used_gib = std::min(o.size_gib, o.used_gib + gib);
    for (std::size_t p = 0; p < o.pieces.size(); ++p) d.host_raw[o.pieces[p].host] += o.piece_raw(p);
  }

  /// The VM's disks, created at the start of the run in the scenario's order: all of them,
  /// or none and the reason its power-ons are refused.
  void create_disks(VmId v) {
    const VmConfig& vc = config_.vms[v];
    Vm& vm = vms_[v];
    if (vc.disks.empty()) return;
    // Space asked of each datastore by the VM's non-vSAN disks, checked together.
    std::vector<double> asked(datastores_.size(), 0.0);
    for (const DiskConfig& dc : vc.disks) {
      if (dc.datastore_id < 0) continue;
      const auto i = static_cast<std::size_t>(dc.datastore_id);
      const DatastoreKind kind = datastores_[i].cfg->kind;
      if (kind == DatastoreKind::vsan) continue;
      asked[i] += consumed_gib(dc, kind, 0.0) + (kind == DatastoreKind::vvols && asked[i] == 0.0 ? vvol_config_gib_ : 0.0);
    }
    for (std::size_t i = 0; i < asked.size(); ++i) {
      if (asked[i] > free_gib(datastores_[i]) + 1e-9) {
        vm.refusal = fmt::format("its disks need {:.1f} GiB on {} and {:.1f} GiB are free", asked[i], datastores_[i].cfg->name,
                                 std::max(0.0, free_gib(datastores_[i])));
        return;
      }
    }
    // vSAN objects: the namespace first (on the first vSAN datastore), then the disks,
    // placed one after the other so that each sees the others' space.
    std::vector<std::size_t> made;
    const auto undo = [&](std::string why) {
      for (auto it = made.rbegin(); it != made.rend(); ++it) {
        drop_object(*it);
        objects_.pop_back();
      }
      vm.refusal = std::move(why);
    };
    std::vector<std::optional<std::size_t>> disk_objects(vc.disks.size());
    bool namespace_made = false;
    for (std::size_t k = 0; k < vc.disks.size(); ++k) {
      const DiskConfig& dc = vc.disks[k];
      if (dc.datastore_id < 0) continue;
      const auto i = static_cast<std::size_t>(dc.datastore_id);
      const Datastore& ds = datastores_[i];
      if (ds.cfg->kind != DatastoreKind::vsan) continue;
      const StoragePolicyConfig& policy = policy_of(dc, ds);
      std::string why;
      if (!namespace_made) {
        // The VM home namespace object: 255 GiB, thin, with the datastore's default policy.
        Object ns;
        if (!place_object(i, ds.cfg->default_policy, component_max_gib, 0.0, 1, &ns, &why)) {
          undo(fmt::format("its home namespace does not fit on {}: {}", ds.cfg->name, why));
          return;
        }
        ns.vm = v;
        ns.kind = ObjectKind::namespace_;
        made.push_back(add_object(std::move(ns)));
        namespace_made = true;
      }
      Object o;
      const double used = consumed_gib(dc, DatastoreKind::vsan, policy.object_space_reservation);
      if (!place_object(i, policy, dc.size_gib, used, policy.stripe_width, &o, &why)) {
        undo(fmt::format("its disk {} ({:.0f} GiB, policy {}) does not fit on {}: {}", k + 1, dc.size_gib, policy_name(dc),
                         ds.cfg->name, why));
        return;
      }
      o.vm = v;
      o.kind = ObjectKind::disk;
      disk_objects[k] = add_object(std::move(o));
      made.push_back(*disk_objects[k]);
    }
    // Every disk fits: create them.
    double total_size = 0.0;
    for (const DiskConfig& dc : vc.disks) total_size += dc.size_gib;
    std::vector<char> vvol_config(datastores_.size(), 0);
    for (std::size_t k = 0; k < vc.disks.size(); ++k) {
      const DiskConfig& dc = vc.disks[k];
      if (dc.datastore_id < 0) continue;
      const auto i = static_cast<std::size_t>(dc.datastore_id);
      Datastore& ds = datastores_[i];
      Disk d;
      d.vm = v;
      d.ds = i;
      d.cfg = &dc;
      d.object = disk_objects[k];
      if (ds.cfg->kind != DatastoreKind::vsan) {
        d.consumed = consumed_gib(dc, ds.cfg->kind, 0.0);
        ds.used += d.consumed;
        ds.provisioned += dc.size_gib;
        if (ds.cfg->kind == DatastoreKind::vvols && !vvol_config[i]) {
          // The config vVol (the VM's home) comes with its first disk there.
          vvol_config[i] = 1;
          ds.used += vvol_config_gib_;
          ds.provisioned += vvol_config_gib_;
        }
      }
      if (std::find(ds.vms.begin(), ds.vms.end(), v) == ds.vms.end()) ds.vms.push_back(v);
      vm.disks.push_back(disks_.size());
      disks_.push_back(d);
      metadata_update(i);
    }
    for (std::size_t i = 0; i < datastores_.size(); ++i) {
      if (std::find(datastores_[i].vms.begin(), datastores_[i].vms.end(), v) != datastores_[i].vms.end()) space_changed(i);
    }
    // How the VM's I/O spreads: by disk size per datastore.
    for (const std::size_t k : vm.disks) {
      const Disk& d = disks_[k];
      auto it = std::find_if(vm.shares.begin(), vm.shares.end(), [&](const DiskShare& s) { return s.ds == d.ds; });
      if (it == vm.shares.end()) {
        DiskShare s;
        s.ds = d.ds;
        if (d.object) s.backend = objects_[*d.object].scheme.write_amplification;
        vm.shares.push_back(s);
        it = vm.shares.end() - 1;
      }
      it->weight += total_size > 0.0 ? d.cfg->size_gib / total_size : 1.0 / static_cast<double>(vm.disks.size());
    }
    vm.swap_gib = swap_gib(vc);
    const std::string e = metric::vm_entity(vc.name);
    vm.g_iops = ctx_.metrics.gauge(e, vm_iops, ctx_.series.keeps("storage.vms"));
    vm.g_latency = ctx_.metrics.gauge(e, vm_latency_ms, ctx_.series.keeps("storage.vms"));
    vm.has_gauges = true;
  }

  void create_swap(VmId v) {
    Vm& vm = vms_[v];
    if (vm.swap_on || vm.swap_gib <= 0.0) return;
    const std::size_t i = disks_[vm.disks.front()].ds;
    Datastore& ds = datastores_[i];
    if (ds.cfg->kind == DatastoreKind::vsan) {
      // A thin swap object (vSAN 6.7 and later) with the datastore's default policy.
      Object o;
      if (!place_object(i, ds.cfg->default_policy, vm.swap_gib, 0.0, 1, &o, nullptr)) return;
      o.vm = v;
      o.kind = ObjectKind::swap;
      vm.swap_object = add_object(std::move(o));
    } else {
      ds.used += vm.swap_gib;
      ds.provisioned += vm.swap_gib;
    }
    vm.swap_on = true;
    space_changed(i);
  }

  void remove_swap(VmId v) {
    Vm& vm = vms_[v];
    if (!vm.swap_on) return;
    const std::size_t i = disks_[vm.disks.front()].ds;
    Datastore& ds = datastores_[i];
    if (vm.swap_object) {
      drop_object(*vm.swap_object);
      vm.swap_object.reset();
    } else {
      ds.used -= vm.swap_gib;
      ds.provisioned -= vm.swap_gib;
    }
    vm.swap_on = false;
    space_changed(i);
  }

  /// A metadata update of datastore `i` (a file created, grown or removed, a power-on or
  /// off, a snapshot, a vMotion): under ATS+SCSI locking it takes a SCSI reservation that
  /// holds the whole device.
  void metadata_update(std::size_t i) {
    Datastore& d = datastores_[i];
    if (d.cfg->kind != DatastoreKind::vmfs || d.cfg->locking != VmfsLocking::ats_scsi) return;
    ++d.scsi_reservations;
    d.reserved_s += hold_;
  }

  // ---- snapshots -----------------------------------------------------------------------

  void schedule_snapshots() {
    for (VmId v = 0; v < config_.vms.size(); ++v) {
      for (const SnapshotConfig& s : config_.vms[v].snapshots) {
        if (s.at > config_.duration || vms_[v].disks.empty() || vms_[v].refusal) continue;
        const double rate = s.growth_gib_per_h / 3600.0;
        ctx_.sim.at(s.at, [this, v, rate] { take_snapshot(v, rate); });
      }
    }
    step_ = config_.sample_interval > sim::Time::zero() ? config_.sample_interval : sim::Time::from_seconds(60.0);
    ctx_.sim.at(step_, [this] { grow_snapshots(); });
  }

  void take_snapshot(VmId v, double rate) {
    Vm& vm = vms_[v];
    double total = 0.0;
    for (const std::size_t k : vm.disks) total += disks_[k].cfg->size_gib;
    for (const std::size_t k : vm.disks) {
      Disk& d = disks_[k];
      const double share = total > 0.0 ? d.cfg->size_gib / total : 0.0;
      d.delta_rate += rate * share;
      metadata_update(d.ds);
      if (d.object) {
        Object o;
        const Datastore& ds = datastores_[d.ds];
        if (place_object(d.ds, policy_of(*d.cfg, ds), d.cfg->size_gib, 0.0, 1, &o, nullptr)) {
          o.vm = v;
          o.kind = ObjectKind::delta;
          o.disk = k;
          d.deltas.push_back(add_object(std::move(o)));
        }
      }
    }
  }

  void grow_snapshots() {
    const double dt = step_.seconds();
    std::vector<char> changed(datastores_.size(), 0);
    for (Disk& d : disks_) {
      if (d.delta_rate <= 0.0 || !vms_[d.vm].on) continue;
      // Each delta can grow to the size of its base disk (reference B.5).
      const double room = d.cfg->size_gib * static_cast<double>(std::max<std::size_t>(1, d.deltas.size())) - d.delta_gib;
      const double grow = std::min(room, d.delta_rate * dt);
      if (grow <= 0.0) continue;
      d.delta_gib += grow;
      if (!d.deltas.empty()) {
        grow_object(d.deltas.back(), grow);
      } else {
        datastores_[d.ds].used += grow;
        datastores_[d.ds].provisioned += grow;
      }
      changed[d.ds] = 1;
    }
    for (std::size_t i = 0; i < changed.size(); ++i) {
      if (changed[i]) space_changed(i);
    }
    const sim::Time next = ctx_.sim.now() + step_;
    if (next <= config_.duration) ctx_.sim.at(next, [this] { grow_snapshots(); });
  }

  // ---- vSAN failures and rebuilds -----------------------------------------------------

  /// The pieces of `obj` on `host` are gone; true when it had one there.
  static bool lose_pieces(Object& obj, HostId host) {
    bool hit = false;
    for (Piece& p : obj.pieces) {
      if (p.host == host && p.alive) {
        p.alive = false;
        hit = true;
      }
    }
    return hit;
  }

  void device_error(HostId host) {
    for (std::size_t i = 0; i < datastores_.size(); ++i) {
      Datastore& d = datastores_[i];
      if (d.cfg->kind != DatastoreKind::vsan || !d.mounts[host] || !d.device_ok[host]) continue;
      d.device_ok[host] = 0;
      for (std::size_t o = 0; o < objects_.size(); ++o) {
        Object& obj = objects_[o];
        if (!obj.exists || obj.ds != i || !lose_pieces(obj, host)) continue;
        ++obj.epoch;
        obj.waiting = false;
        event(obj, "degraded", fmt::format("a capacity device of host {} failed; rebuild at once", config_.hosts[host].name));
        rebuild(o);
      }
      space_changed(i);
      mark(i);
    }
  }

  /// Rebuilds every missing piece of object `o` on a host that holds none of its pieces
  /// and has room; an object with no such host stays in reduced availability.
  void rebuild(std::size_t o) {
    Object& obj = objects_[o];
    Datastore& d = datastores_[obj.ds];
    const int limit = d.cfg->architecture == VsanArchitecture::esa ? kEsaComponentsPerHost : kOsaComponentsPerHost;
    std::optional<HostId> source;
    for (std::size_t p = 0; p < obj.pieces.size(); ++p) {
      if (obj.pieces[p].alive && !obj.is_witness(p)) {
        source = obj.pieces[p].host;
        break;
      }
    }
    bool any_missing = false;
    for (std::size_t p = 0; p < obj.pieces.size(); ++p) {
      Piece& piece = obj.pieces[p];
      if (piece.alive || piece.rebuilding) continue;
      any_missing = true;
      if (!source) break;  // nothing to copy from: the object is lost until a host returns
      const double raw = obj.piece_raw(p);
      const int comps = obj.piece_components(p);
      std::optional<HostId> spare;
      for (HostId h = 0; h < d.mounts.size(); ++h) {
        if (!d.mounts[h] || !ctx_.state.hosts[h].up || !d.device_ok[h]) continue;
        const bool holds = std::any_of(obj.pieces.begin(), obj.pieces.end(), [&](const Piece& q) { return q.host == h; });
        if (holds || d.cfg->capacity_per_host_gib - d.host_raw[h] + 1e-9 < raw || d.host_components[h] + comps > limit) continue;
        if (!spare || d.host_raw[h] < d.host_raw[*spare]) spare = h;
      }
      if (!spare) continue;
      piece.rebuilding = true;
      d.host_raw[*spare] += raw;
      d.host_components[*spare] += comps;
      const Rebuild r{o, p, *source, *spare, raw};
      if (raw > 0.0) {
        event(obj, "rebuilding", fmt::format("{:.1f} GiB from {} to {}", raw, config_.hosts[*source].name, config_.hosts[*spare].name));
      }
      start_transfer(r);
    }
    if (any_missing) space_changed(obj.ds);
    if (any_missing && obj.state() == "reduced_availability") {
      event(obj, "reduced_availability", "no host of the cluster can take the missing components");
    }
  }

  void start_transfer(const Rebuild& r) {
    const Object& obj = objects_[r.object];
    if (r.gib <= 0.0) {  // a witness, or nothing written yet: metadata only
      rebuilt(r);
      return;
    }
    if (network_) {
      const std::uint64_t id = ++transfer_id_;
      transfers_.emplace(id, r);
      ctx_.signals.get<network::TransferRequest>().emit(network::TransferRequest{
          id, r.from, r.to, r.gib * 1024.0, "resync", fmt::format("{}/{}", config_.vms[obj.vm].name, object_label(obj))});
      return;
    }
    // Without a network in the scenario: the slower of the two hosts' fastest NICs.
    const double mbps = std::min(fastest_nic_mbps(r.from), fastest_nic_mbps(r.to));
    const double seconds = r.gib * 1024.0 * 8.0 * kMiB / 1e6 / mbps;
    ctx_.sim.at(ctx_.sim.now() + sim::Time::from_seconds(seconds), [this, r] { rebuilt(r); });
  }

  double fastest_nic_mbps(HostId h) const {
    double best = 0.0;
    for (const NicConfig& n : config_.hosts[h].nics) best = std::max(best, n.speed_mbps);
    return best > 0.0 ? best : 10000.0;
  }

  void rebuilt(const Rebuild& r) {
    Object& obj = objects_[r.object];
    Datastore& d = datastores_[obj.ds];
    Piece& piece = obj.pieces[r.piece];
    if (!obj.exists) {
      d.host_raw[r.to] -= r.gib;
      d.host_components[r.to] -= obj.piece_components(r.piece);
      return;
    }
    // The stale component on the old host is discarded.
    d.host_raw[piece.host] -= obj.piece_raw(r.piece);
    d.host_components[piece.host] -= obj.piece_components(r.piece);
    piece.host = r.to;
    piece.alive = true;
    piece.rebuilding = false;
    d.resync_gib += r.gib;
    event(obj, std::string(obj.state()),
          r.gib > 0.0 ? fmt::format("{:.1f} GiB resynchronised on {}", r.gib, config_.hosts[r.to].name)
                      : fmt::format("{} recreated on {}", obj.is_witness(r.piece) ? "witness" : "empty component",
                                    config_.hosts[r.to].name));
    space_changed(obj.ds);
  }

  std::string object_label(const Object& o) const {
    switch (o.kind) {
      case ObjectKind::namespace_: return "namespace";
      case ObjectKind::swap: return "swap";
      case ObjectKind::disk:
      case ObjectKind::delta: {
        const auto& disks = vms_[o.vm].disks;
        for (std::size_t k = 0; k < disks.size(); ++k) {
          if (disks_[disks[k]].object && &objects_[*disks_[disks[k]].object] == &o) return fmt::format("disk{}", k + 1);
        }
        return o.kind == ObjectKind::delta ? "delta" : "disk";
      }
    }
    return "";
  }

  void event(const Object& o, const std::string& what, const std::string& detail) {
    events_.add(ctx_.sim.now().seconds());
    events_.add(std::string(datastores_[o.ds].cfg->name));
    events_.add(std::string(config_.vms[o.vm].name));
    events_.add(object_label(o));
    events_.add(what);
    events_.add(detail);
  }

  // ---- I/O -----------------------------------------------------------------------------

  void start_io(VmId v) {
    Vm& vm = vms_[v];
    const VmConfig& vc = config_.vms[v];
    if (!vc.disk_workload) {
      touch_vm(v);
      return;
    }
    const DiskWorkload& w = *vc.disk_workload;
    vm.block = w.block_bytes;
    vm.outstanding = std::max(1, w.outstanding);
    if (w.kind == DiskWorkloadKind::constant) {
      vm.demand = w.iops;
      vm.read = w.read;
      touch_vm(v);
      return;
    }
    if (!vm.read_trace) {
      const double factor = w.scale * kb_ / w.block_bytes;  // KB/s -> commands/s
      TraceCpu t;
      t.format = TraceFormat::bitbrains;
      t.file = w.file;
      t.column = "disk_read_kbps";
      vm.read_trace.emplace(ctx_.traces.get(t), sim::Time::zero(), factor, TraceEnd::loop);
      t.column = "disk_write_kbps";
      vm.write_trace.emplace(ctx_.traces.get(t), sim::Time::zero(), factor, TraceEnd::loop);
    }
    trace_step(v);
  }

  void trace_step(VmId v) {
    Vm& vm = vms_[v];
    const sim::Time now = ctx_.sim.now();
    const double r = std::max(0.0, vm.read_trace->value_at(now));
    const double w = std::max(0.0, vm.write_trace->value_at(now));
    vm.demand = r + w;
    vm.read = vm.demand > 0.0 ? r / vm.demand : 0.7;
    touch_vm(v);
    const sim::Time next = std::min(vm.read_trace->next_change(now), vm.write_trace->next_change(now));
    if (next > config_.duration || next <= now) return;
    const std::uint64_t epoch = vm.epoch;
    ctx_.sim.at(next, [this, v, epoch] {
      if (vms_[v].epoch == epoch && vms_[v].on) trace_step(v);
    });
  }

  /// The VM's I/O changed: its datastores are solved again at this instant (once, however
  /// many VMs change at it).
  void touch_vm(VmId v) {
    for (const DiskShare& s : vms_[v].shares) mark(s.ds);
  }

  void mark(std::size_t i) {
    Datastore& d = datastores_[i];
    if (d.dirty) return;
    d.dirty = true;
    ctx_.sim.at(ctx_.sim.now(), [this, i] { solve_datastore(i); });
  }

  void solve_datastore(std::size_t i) {
    Datastore& d = datastores_[i];
    d.dirty = false;
    const sim::Time now = ctx_.sim.now();
    const double t = now.seconds();
    const bool vsan = d.cfg->kind == DatastoreKind::vsan;
    worlds_.clear();
    world_vm_.clear();
    local_.clear();
    if (host_local_.size() != config_.hosts.size()) host_local_.assign(config_.hosts.size(), -1);
    for (const VmId v : d.vms) {
      const Vm& vm = vms_[v];
      if (!vm.on || vm.demand <= 0.0 || now < vm.stall_until || !readable(v)) continue;
      const auto s = std::find_if(vm.shares.begin(), vm.shares.end(), [&](const DiskShare& x) { return x.ds == i; });
      if (s == vm.shares.end() || s->weight <= 0.0) continue;
      int& local = host_local_[vm.host];
      if (local < 0) {
        local = static_cast<int>(local_.size());
        local_.push_back(vm.host);
      }
      World w;
      w.host = local;
      w.demand = vm.demand * s->weight;
      w.outstanding = std::max(1e-3, vm.outstanding * s->weight);
      w.backend = vm.read + (1.0 - vm.read) * s->backend;
      w.block_bytes = vm.block;
      const DiskConfig& first = *disks_[vm.disks.front()].cfg;
      w.shares = first.shares;
      w.reservation = first.reservation_iops * s->weight;
      w.limit = first.limit_iops * s->weight;
      worlds_.push_back(w);
      world_vm_.push_back(v);
    }
    // The device: one array, or for vSAN the hosts' devices that are up together.
    DeviceModel dev;
    const StorageDeviceConfig& c = d.cfg->device;
    double units = 1.0;
    if (vsan) {
      units = 0.0;
      for (HostId h = 0; h < d.mounts.size(); ++h) {
        if (d.mounts[h] && ctx_.state.hosts[h].up && d.device_ok[h]) units += 1.0;
      }
    }
    dev.iops = c.iops * std::max(units, 1e-9);
    dev.bandwidth_bytes_s = c.bandwidth_bytes_s * std::max(units, 1e-9);
    dev.latency_s = c.latency.seconds();
    std::vector<int> per_host(local_.size(), 0);
    for (const World& w : worlds_) ++per_host[static_cast<std::size_t>(w.host)];
    dev.host_slots.resize(local_.size());
    dev.host_bytes_s.assign(local_.size(), 0.0);
    for (std::size_t h = 0; h < local_.size(); ++h) {
      // One world alone fills the device queue; competing worlds only DSNRO's slots.
      dev.host_slots[h] = per_host[h] > 1 ? std::min(c.dsnro, c.queue_depth) : c.queue_depth;
      if (d.cfg->kind == DatastoreKind::nfs) dev.host_bytes_s[h] = nfs_path_bytes_s(local_[h], d.cfg->version);
    }
    bool throttled = false;
    if (d.cfg->sioc.enabled && !worlds_.empty()) {
      const double threshold = d.cfg->sioc.automatic ? sioc_auto_threshold(worlds_, dev) : d.cfg->sioc.threshold.seconds();
      dev = sioc_throttle(worlds_, dev, threshold, &throttled);
    }
    const Solution sol = worlds_.empty() ? Solution{} : solve(worlds_, dev);
    d.throttled.set(throttled, t, warmup_);
    ctx_.metrics.set(d.g_throttled, now, throttled ? 1.0 : 0.0);
    // What each VM got here.
    double total = 0.0;
    double weighted = 0.0;
    for (const VmId v : d.vms) {
      Vm& vm = vms_[v];
      for (DiskShare& s : vm.shares) {
        if (s.ds == i) {
          s.iops = 0.0;
          s.latency_ms = 0.0;
        }
      }
    }
    for (std::size_t k = 0; k < worlds_.size(); ++k) {
      Vm& vm = vms_[world_vm_[k]];
      const WorldResult& r = sol.worlds[k];
      for (DiskShare& s : vm.shares) {
        if (s.ds != i) continue;
        s.iops = r.iops;
        s.latency_ms = std::isfinite(r.latency_s) ? 1e3 * r.latency_s : 0.0;
      }
      total += r.iops;
      if (std::isfinite(r.latency_s)) weighted += r.iops * 1e3 * r.latency_s;
    }
    for (const VmId v : d.vms) publish_vm(v, t);
    const double latency = total > 0.0 ? weighted / total : 0.0;
    d.latency.set(t, latency, total, warmup_);
    ctx_.metrics.set(d.g_iops, now, total);
    ctx_.metrics.set(d.g_latency, now, latency);
    // esxtop's disk panel of each host.
    std::vector<HostPart> parts(local_.size());
    for (std::size_t k = 0; k < worlds_.size(); ++k) {
      const Vm& vm = vms_[world_vm_[k]];
      const WorldResult& r = sol.worlds[k];
      HostPart& p = parts[static_cast<std::size_t>(worlds_[k].host)];
      p.cmds += r.iops;
      p.read_mb += r.iops * vm.read * vm.block / kMiB;
      p.written_mb += r.iops * (1.0 - vm.read) * vm.block / kMiB;
      p.davg_x += r.iops * 1e3 * sol.davg_s;
      if (std::isfinite(r.latency_s)) p.kavg_x += r.iops * 1e3 * (r.latency_s - sol.davg_s);
    }
    for (std::size_t h = 0; h < local_.size(); ++h) parts[h].queued = sol.host_queued.empty() ? 0.0 : sol.host_queued[h];
    for (HostId h = 0; h < d.parts.size(); ++h) {
      const int local = host_local_[h];
      const HostPart now_part = local >= 0 ? parts[static_cast<std::size_t>(local)] : HostPart{};
      HostPart& old = d.parts[h];
      if (old.cmds == 0.0 && now_part.cmds == 0.0 && old.queued == 0.0 && now_part.queued == 0.0) continue;
      HostPart& tot = host_totals_[h];
      tot.cmds += now_part.cmds - old.cmds;
      tot.read_mb += now_part.read_mb - old.read_mb;
      tot.written_mb += now_part.written_mb - old.written_mb;
      tot.davg_x += now_part.davg_x - old.davg_x;
      tot.kavg_x += now_part.kavg_x - old.kavg_x;
      tot.queued += now_part.queued - old.queued;
      old = now_part;
      publish_host(h, now);
    }
    for (const HostId h : local_) host_local_[h] = -1;
  }

  /// False when one of the VM's disks is an inaccessible vSAN object: its I/O stops (the
  /// guest would hang; all-paths-down handling is not modelled).
  bool readable(VmId v) const {
    for (const std::size_t k : vms_[v].disks) {
      if (disks_[k].object && !objects_[*disks_[k].object].readable()) return false;
    }
    return true;
  }

  double nfs_path_bytes_s(HostId h, int version) const {
    // NFS 3 has one path (one NIC); NFS 4.1 uses every path (reference B.2).
    double best = 0.0;
    double all = 0.0;
    for (const NicConfig& n : config_.hosts[h].nics) {
      best = std::max(best, n.speed_mbps);
      all += n.speed_mbps;
    }
    const double mbps = version == 41 ? all : best;
    return mbps * 1e6 / 8.0;
  }

  void publish_vm(VmId v, double t) {
    Vm& vm = vms_[v];
    double iops = 0.0;
    double weighted = 0.0;
    for (const DiskShare& s : vm.shares) {
      iops += s.iops;
      weighted += s.iops * s.latency_ms;
    }
    const double latency = iops > 0.0 ? weighted / iops : 0.0;
    if (iops == vm.published_iops && latency == vm.published_latency) return;  // nothing moved
    vm.published_iops = iops;
    vm.published_latency = latency;
    vm.latency.set(t, latency, iops, warmup_);
    const sim::Time now = ctx_.sim.now();
    ctx_.metrics.set(vm.g_iops, now, iops);
    ctx_.metrics.set(vm.g_latency, now, latency);
  }

  void publish_host(HostId h, sim::Time now) {
    if (!host_has_gauges_[h]) {
      const std::string e = metric::host_entity(config_.hosts[h].name);
      const bool keep = ctx_.series.keeps("storage.hosts");
      auto& g = host_gauges_[h];
      g[0] = ctx_.metrics.gauge(e, host_cmds, keep);
      g[1] = ctx_.metrics.gauge(e, host_mb_read, keep);
      g[2] = ctx_.metrics.gauge(e, host_mb_written, keep);
      g[3] = ctx_.metrics.gauge(e, host_davg, keep);
      g[4] = ctx_.metrics.gauge(e, host_kavg, keep);
      g[5] = ctx_.metrics.gauge(e, host_gavg, keep);
      g[6] = ctx_.metrics.gauge(e, host_qued, keep);
      host_has_gauges_[h] = true;
    }
    const HostPart& p = host_totals_[h];
    const auto& g = host_gauges_[h];
    const double cmds = std::max(0.0, p.cmds);
    const double davg = cmds > 1e-12 ? p.davg_x / cmds : 0.0;
    const double kavg = cmds > 1e-12 ? p.kavg_x / cmds : 0.0;
    ctx_.metrics.set(g[0], now, cmds);
    ctx_.metrics.set(g[1], now, std::max(0.0, p.read_mb));
    ctx_.metrics.set(g[2], now, std::max(0.0, p.written_mb));
    ctx_.metrics.set(g[3], now, davg);
    ctx_.metrics.set(g[4], now, kavg);
    ctx_.metrics.set(g[5], now, davg + kavg);
    ctx_.metrics.set(g[6], now, std::max(0.0, p.queued));
  }

  AreaContext ctx_;
  const ScenarioConfig& config_;
  double repair_delay_;
  double stall_;
  double kb_;
  double hold_;
  double vvol_config_gib_;
  double warmup_;
  bool network_;
  sim::Time step_;
  std::vector<Datastore> datastores_;
  std::vector<Disk> disks_;
  std::vector<Object> objects_;
  std::vector<Vm> vms_;
  /// What refusal() last said of each VM (empty: it let the VM run), for the report.
  mutable std::vector<std::string> refused_;
  std::vector<HostPart> host_totals_;
  std::vector<std::array<sim::MetricId, 7>> host_gauges_;
  std::vector<bool> host_has_gauges_;
  ReportTable events_{&table_spec(Table::events), {}};
  std::unordered_map<std::uint64_t, Rebuild> transfers_;
  std::uint64_t transfer_id_ = 0;
  // scratch of solve_datastore
  std::vector<World> worlds_;
  std::vector<VmId> world_vm_;
  std::vector<HostId> local_;
  std::vector<int> host_local_;
};

std::unique_ptr<Area> make(const AreaContext& ctx) { return std::make_unique<StorageArea>(ctx); }

constexpr std::array<MetricSpec, 9> metrics{{
    {EntityKind::vm, vm_iops, "cmds/s", "disk commands per second the VM's disks served"},
    {EntityKind::vm, vm_latency_ms, "ms", "latency the guest sees per disk command (GAVG), IO-weighted over its disks"},
    {EntityKind::host, host_cmds, "cmds/s", "disk commands per second of the host's VMs (esxtop CMDS/s)"},
    {EntityKind::host, host_mb_read, "MiB/s", "MiB read per second (esxtop MBREAD/s)"},
    {EntityKind::host, host_mb_written, "MiB/s", "MiB written per second (esxtop MBWRTN/s)"},
    {EntityKind::host, host_davg, "ms", "device latency per command (esxtop DAVG/cmd)"},
    {EntityKind::host, host_kavg, "ms", "time a command waits in the VMkernel (esxtop KAVG/cmd)"},
    {EntityKind::host, host_gavg, "ms", "latency the guest sees (esxtop GAVG/cmd = DAVG + KAVG)"},
    {EntityKind::host, host_qued, "cmds", "commands queued in the VMkernel (esxtop QUED)"},
}};

constexpr std::array<SeriesGroup, 2> series{{
    {"storage.vms", EntityKind::vm, 2, 4, vm_iops, "storage"},
    {"storage.hosts", EntityKind::host, 7, 4, host_cmds, "storage"},
}};

constexpr std::array<AreaSpec, 1> specs{{
    {"storage", "", "datastores (VMFS, NFS, vSAN, vVols), disks and their space, vSAN policies and failures, I/O latency and SIOC",
     "storage_policies; datastores (kind, version, capacity, hosts, device, sioc, locking, export, cluster, "
     "architecture, capacity_per_host, default_policy); vm_profiles and vms: disks, snapshots, workload.disk; "
     "events: device_error; parameters: storage.*",
     "docs/storage.md; docs/scenario.md \"Storage\"", {}, metrics, series, &parameters, &make, &report_spec, &has_storage},
}};

}  // namespace

std::string datastore_entity(std::string_view name) { return fmt::format("datastore/{}", name); }

std::span<const ModelParameter> parameters() { return params; }

double parameter(const ScenarioConfig& config, std::string_view name) {
  return parameter_value(config.parameters, params, name);
}

bool has_storage(const ScenarioConfig& config) { return !config.storage.datastores.empty(); }

std::span<const AreaSpec> area_specs() { return specs; }

}  // namespace vdc::models::storage
