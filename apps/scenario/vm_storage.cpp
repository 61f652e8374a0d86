// A VM's virtual disks, snapshots and disk workload (docs/scenario.md "Storage"), and the
// checks of its disks against the datastores and policies once every VM is read.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "sections.hpp"
#include "suggest.hpp"
#include "values.hpp"
#include "vdc/models/storage/storage_area.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"
#include "vdc/sim/units.hpp"

namespace vdc::scenario::detail {

namespace {

using models::DatastoreKind;
using models::Provisioning;


constexpr std::array<Choice<Provisioning>, 3> provisionings{
    {{"thin", Provisioning::thin},
     {"lazy_zeroed", Provisioning::lazy_zeroed},
     {"eager_zeroed", Provisioning::eager_zeroed}}};
constexpr std::array<Choice<models::DiskWorkloadKind>, 2> disk_kinds{
    {{"constant", models::DiskWorkloadKind::constant}, {"trace", models::DiskWorkloadKind::trace}}};

/// 1 PiB in MiB, as for a datastore.
constexpr double max_disk_mib = 1024.0 * 1024.0 * 1024.0;
constexpr Bounds disk_size{0.0, max_disk_mib, true, "expected a size above 0 and up to 1 PiB, like 500 GiB"};
constexpr Bounds iops_amount{0.0, 1e9, false, "expected a number of I/Os per second from 0, like 500"};
constexpr Bounds positive_iops{0.0, 1e9, true, "expected a number of I/Os per second above 0, like 800"};
constexpr Bounds block_size{0.0, 64.0, true, "expected a size above 0 and up to 64 MiB, like 8 KiB"};
constexpr Bounds snapshot_time{0.0, limits::max_duration_s, false,
                               "expected a time from the start of the run, like 2h"};
constexpr Bounds scale_bounds{0.0, 1e6, true, "expected a number above 0 and up to 1000000"};
/// The most commands a VM keeps in flight that the loader takes: a bound against typos, not
/// a vSphere maximum.
constexpr std::int64_t max_outstanding = 4096;

/// A disk's mClock shares: low 500, normal 1000, high 2000 (reference B.6) or a number.
std::optional<double> read_disk_shares(Sink& sink, const Node& node) {
  const std::string expected = fmt::format(
      "expected low, normal, high or a whole number from 1 to {}", limits::max_custom_shares);
  const std::string* text = scalar_text(sink, "shares", node, expected);
  if (text == nullptr) return std::nullopt;
  static constexpr std::array<Choice<double>, 3> levels{
      {{"low", 500.0}, {"normal", 1000.0}, {"high", 2000.0}}};
  for (const auto& level : levels) {
    if (*text == level.name) return level.value;
  }
  std::int64_t shares = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, shares);
  if (ec != std::errc() || ptr != end || shares < 1 || shares > limits::max_custom_shares) {
    Suggestion suggestion(*text);
    for (const auto& level : levels) suggestion.offer(level.name);
    bad_value(sink, "shares", node, expected, suggestion.best());
    return std::nullopt;
  }
  return static_cast<double>(shares);
}

void read_disk(Sink& sink, const Node& item, models::VmConfig& vm, VmStorageSite* site) {
  const MapView m(sink, item, keys::disk, "a disks entry");
  if (!m.valid()) return;
  models::DiskConfig d;
  VmStorageSite::Disk at{item.pos, item.pos, item.pos, std::nullopt, std::nullopt};
  bool ok = true;
  if (const Node* size = m.require("size", "expected the disk's size, like 100 GiB")) {
    at.size = size->pos;
    const auto mib = read_memory(sink, "size", *size, disk_size);
    ok = mib.has_value() && ok;
    if (mib) d.size_gib = *mib / 1024.0;
  } else {
    ok = false;
  }
  if (const Node* ds = m.require("datastore", "expected the datastore the disk is on")) {
    at.datastore = ds->pos;
    const auto name = read_name(sink, "datastore", *ds);
    ok = name.has_value() && ok;
    if (name) d.datastore = *name;
  } else {
    ok = false;
  }
  if (const Node* p = m.get("policy")) {
    at.policy = p->pos;
    const auto name = read_name(sink, "policy", *p);
    ok = name.has_value() && ok;
    if (name) d.policy = *name;
  }
  if (const Node* p = m.get("provisioning")) {
    at.provisioning = p->pos;
    assign(read_choice<Provisioning>(sink, "provisioning", *p, provisionings), d.provisioning);
  }
  assign(m.fraction("written"), d.written);
  if (const Node* s = m.get("shares")) assign(read_disk_shares(sink, *s), d.shares);
  assign(m.real("reservation", iops_amount), d.reservation_iops);
  assign(m.real("limit", iops_amount), d.limit_iops);
  if (d.limit_iops > 0.0 && d.reservation_iops > d.limit_iops) {
    sink.error(m.get("reservation")->pos,
               fmt::format("disk reservation {:g} IOPS exceeds its limit {:g} IOPS",
                           d.reservation_iops, d.limit_iops),
               "expected a reservation at most the limit");
  }
  vm.disks.push_back(std::move(d));
  if (site != nullptr) {
    site->disks.push_back(at);
    site->checked.push_back(ok);  // a disk with an unreadable name is not checked further
  }
}

/// "10 GiB/h": a size per unit of time, in GiB per hour.
std::optional<double> read_growth(Sink& sink, const Node& node) {
  constexpr std::string_view expected = "expected a size per time, like 10 GiB/h";
  const std::string* text = scalar_text(sink, "growth", node, expected);
  if (text == nullptr) return std::nullopt;
  const std::size_t slash = text->find('/');
  if (slash == std::string::npos) {
    bad_value(sink, "growth", node, expected);
    return std::nullopt;
  }
  const auto size = sim::parse_memory(std::string_view(*text).substr(0, slash));
  const auto per = sim::parse_duration("1" + text->substr(slash + 1));
  if (!size.value || !per.value || per.value->seconds() <= 0.0 || text->substr(slash + 1).empty() ||
      !std::isalpha(static_cast<unsigned char>((*text)[slash + 1]))) {
    bad_value(sink, "growth", node, expected);
    return std::nullopt;
  }
  return size.value->value / 1024.0 * 3600.0 / per.value->seconds();
}

void read_snapshots(Sink& sink, const Node& node, models::VmConfig& vm) {
  if (read_sequence(sink, "snapshots", node, "expected a sequence of {at, growth}") == nullptr) return;
  for (const Node& item : node.items) {
    const MapView m(sink, item, keys::snapshot, "a snapshots entry");
    if (!m.valid()) continue;
    models::SnapshotConfig s;
    bool ok = true;
    if (const Node* at = m.require("at", "expected when the snapshot is taken, like 2h")) {
      const auto t = read_duration(sink, "at", *at, snapshot_time);
      ok = t.has_value();
      if (t) s.at = *t;
    }
    if (const Node* g = m.require("growth", "expected how fast its delta grows, like 10 GiB/h")) {
      const auto rate = read_growth(sink, *g);
      ok = rate.has_value() && ok;
      if (rate) s.growth_gib_per_h = *rate;
    }
    if (ok) vm.snapshots.push_back(s);
  }
  std::stable_sort(vm.snapshots.begin(), vm.snapshots.end(),
                   [](const models::SnapshotConfig& a, const models::SnapshotConfig& b) { return a.at < b.at; });
}

}  // namespace

void read_vm_storage(Sink& sink, const Node& node, models::VmConfig& vm, VmStorageSite* site) {
  if (const Node* disks = node.get("disks")) {
    if (!disks->is_sequence()) {
      sink.error(disks->pos, fmt::format("'disks' is {}", describe(*disks)),
                 "expected a sequence of {size, datastore, ...}");
    } else {
      for (const Node& item : disks->items) read_disk(sink, item, vm, site);
    }
  }
  if (const Node* snapshots = node.get("snapshots")) read_snapshots(sink, *snapshots, vm);
}

void read_disk_workload(Sink& sink, const Node& node, models::VmConfig& vm) {
  if (!node.is_mapping()) {
    sink.error(node.pos, fmt::format("'disk' is {}", describe(node)),
               "expected a mapping: {iops, read, block, outstanding} or {kind: trace, file, ...}");
    return;
  }
  models::DiskWorkload w;
  const Node* kind = node.get("kind");
  if (kind != nullptr) {
    const auto k = read_choice<models::DiskWorkloadKind>(sink, "kind", *kind, disk_kinds);
    if (!k) return;
    w.kind = *k;
  }
  const bool trace = w.kind == models::DiskWorkloadKind::trace;
  const MapView m(sink, node, trace ? keys::disk_trace : keys::disk_constant, "'disk'");
  if (trace) {
    if (m.require("file", "expected a Bitbrains trace file, like traces/{i}.csv") != nullptr) {
      assign(m.text("file", "expected a file path"), w.file);
    }
    assign(m.real("scale", scale_bounds), w.scale);
  } else {
    if (m.require("iops", "expected the VM's I/Os per second, like 800") != nullptr) {
      assign(m.real("iops", positive_iops), w.iops);
    }
    assign(m.fraction("read"), w.read);
  }
  if (const auto block = m.memory("block", block_size)) w.block_bytes = *block * 1024.0 * 1024.0;
  assign(m.integer("outstanding", 1, max_outstanding), w.outstanding);
  vm.disk_workload = w;
}

void check_vm_storage(Context& ctx) {
  Sink& sink = ctx.sink;
  // The largest virtual disk on VMFS 5 and 6 (62 TiB by default; unconfirmed, reference B.1).
  const double vmfs_max_disk_gib = models::storage::parameter(ctx.config, models::storage::param_vmfs_max_disk);
  const models::StorageConfig& storage = ctx.config.storage;
  for (const VmStorageSite& site : ctx.vm_storage_sites) {
    const models::VmConfig& vm = ctx.config.vms[site.vm];
    for (std::size_t i = 0; i < vm.disks.size() && i < site.disks.size(); ++i) {
      if (!site.checked[i]) continue;
      const models::DiskConfig& d = vm.disks[i];
      const VmStorageSite::Disk& at = site.disks[i];
      const auto ds_index = ctx.datastores.resolve(sink, d.datastore, at.datastore);
      std::optional<std::size_t> policy;
      if (at.policy) policy = ctx.storage_policies.resolve(sink, d.policy, *at.policy);
      if (!ds_index) continue;
      const models::DatastoreConfig& ds = storage.datastores[*ds_index];
      if (at.policy && ds.kind != DatastoreKind::vsan) {
        sink.error(*at.policy,
                   fmt::format("storage policy '{}' on a disk of datastore '{}', which is not vSAN",
                               d.policy, ds.name),
                   "expected a policy on vSAN datastores only");
      } else if (policy && storage.policies[*policy].raid != models::RaidLevel::raid1 && !ds.all_flash) {
        sink.error(*at.policy, "erasure coding needs all-flash",
                   fmt::format("expected a RAID-1 policy on the hybrid vSAN datastore '{}': policy "
                               "'{}' is RAID-{} (reference B.3)",
                               ds.name, d.policy, static_cast<int>(storage.policies[*policy].raid)));
      }
      if (ds.kind == DatastoreKind::vmfs && d.size_gib > vmfs_max_disk_gib) {
        sink.error(at.size,
                   fmt::format("disk of {:g} GiB on VMFS {} datastore '{}' exceeds the largest "
                               "VMFS disk",
                               d.size_gib, ds.version, ds.name),
                   fmt::format("expected at most {:g} GiB (storage.vmfs_max_disk; reference B.1)", vmfs_max_disk_gib));
      }
      if (ds.kind == DatastoreKind::nfs && !ds.vaai_nas && d.provisioning != Provisioning::thin &&
          at.provisioning) {
        sink.error(*at.provisioning,
                   fmt::format("{} disk on NFS datastore '{}' without VAAI-NAS",
                               d.provisioning == Provisioning::lazy_zeroed ? "lazy_zeroed" : "eager_zeroed",
                               ds.name),
                   "expected thin: without VAAI-NAS only thin disks can be created on NFS "
                   "(reference B.2), or vaai_nas: true on the datastore");
      }
    }
  }
}

}  // namespace vdc::scenario::detail
