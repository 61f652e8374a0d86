#pragma once
// The storage area's state and its class, shared by the files that implement it (internal
// to models/storage/): storage_area.cpp builds it and holds the area's hooks and report
// tables, storage_space.cpp the disks, swap files, snapshots and the layout of vSAN
// objects, storage_vsan.cpp the failures and rebuilds, storage_io.cpp the I/O and latency.
// The area's public face is include/vdc/models/storage/storage_area.hpp.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "vdc/models/storage/storage_area.hpp"
#include "vdc/models/storage/storage_rules.hpp"
#include "vdc/models/trace/trace_cursor.hpp"

namespace vdc::models::storage::detail {

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
  std::vector<HostId> part_hosts;  // the hosts whose part is not zero
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

inline std::string_view kind_name(DatastoreKind k) {
  switch (k) {
    case DatastoreKind::vmfs: return "vmfs";
    case DatastoreKind::nfs: return "nfs";
    case DatastoreKind::vsan: return "vsan";
    case DatastoreKind::vvols: return "vvols";
  }
  return "";
}

inline std::string_view provisioning_name(Provisioning p) {
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
  explicit StorageArea(const AreaContext& ctx);
  std::optional<std::string> refusal(VmId v, HostId host) const override;
  std::optional<std::string> refusal_of(VmId v, HostId host) const;
  void power_on(VmId v, HostId host) override;
  void power_off(VmId v) override;
  void depart(VmId v, HostId) override;
  void arrive(VmId v, HostId to) override;
  void host_failed(HostId host) override;
  void host_restored(HostId host) override;
  void finish(sim::Time end, RunResult& result) override;
 private:
  // ---- space and snapshots (storage_space.cpp)
  std::string_view policy_name(const DiskConfig& d) const;
  const StoragePolicyConfig& policy_of(const DiskConfig& d, const Datastore& ds) const;
  /// The format of a disk's snapshot deltas on VMFS (reference B.5): SEsparse on VMFS 6
  /// and for disks of 2 TiB or more on VMFS 5, VMFSsparse (a redo log) below; empty
  /// elsewhere or without a snapshot.
  std::string_view snapshot_format(const Disk& d) const;
  /// Recomputes a datastore's capacity, used and provisioned space and publishes them.
  void space_changed(std::size_t i);
  /// Lays an object of `size_gib` (`used_gib` of it taken now) out on vSAN datastore `i`:
  /// the hosts with the least raw used first, each piece on a host of its own with room
  /// for it. Fills `out` when given; says why not in `why`.
  bool place_object(std::size_t i, const StoragePolicyConfig& policy, double size_gib, double used_gib, int stripes,
                    Object* out, std::string* why) const;
  std::size_t add_object(Object o);
  void drop_object(std::size_t i);
  /// Grows object `i` by `gib` logical (a snapshot delta filling).
  void grow_object(std::size_t i, double gib);
  /// The VM's disks, created at the start of the run in the scenario's order: all of them,
  /// or none and the reason its power-ons are refused.
  void create_disks(VmId v);
  void create_swap(VmId v);
  void remove_swap(VmId v);
  /// A metadata update of datastore `i` (a file created, grown or removed, a power-on or
  /// off, a snapshot, a vMotion): under ATS+SCSI locking it takes a SCSI reservation that
  /// holds the whole device.
  void metadata_update(std::size_t i);
  void schedule_snapshots();
  void take_snapshot(VmId v, double rate);
  void grow_snapshots();
  // ---- vSAN failures and rebuilds (storage_vsan.cpp)
  /// The pieces of `obj` on `host` are gone; true when it had one there.
  static bool lose_pieces(Object& obj, HostId host);
  void device_error(HostId host);
  /// Rebuilds every missing piece of object `o` on a host that holds none of its pieces
  /// and has room; an object with no such host stays in reduced availability.
  void rebuild(std::size_t o);
  void start_transfer(const Rebuild& r);
  double fastest_nic_mbps(HostId h) const;
  void rebuilt(const Rebuild& r);
  std::string object_label(const Object& o) const;
  void event(const Object& o, const std::string& what, const std::string& detail);
  // ---- I/O (storage_io.cpp)
  void start_io(VmId v);
  void trace_step(VmId v);
  /// The VM's I/O changed: its datastores are solved again at this instant (once, however
  /// many VMs change at it).
  void touch_vm(VmId v);
  void mark(std::size_t i);
  void solve_datastore(std::size_t i);
  /// False when one of the VM's disks is an inaccessible vSAN object: its I/O stops (the
  /// guest would hang; all-paths-down handling is not modelled).
  bool readable(VmId v) const;
  double nfs_path_bytes_s(HostId h, int version) const;
  void publish_vm(VmId v, double t);
  void publish_host(HostId h, sim::Time now);

  static double swap_gib(const VmConfig& vc) { return std::max(0.0, vc.memory_mib - vc.mem.reservation) / 1024.0; }

  double free_gib(const Datastore& d) const { return d.capacity - d.used; }

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

}  // namespace vdc::models::storage::detail
