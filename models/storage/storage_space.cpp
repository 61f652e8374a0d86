// The storage area: disks, swap files, snapshots and the layout of vSAN objects (models/storage/storage_model.hpp).
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "storage_model.hpp"
#include "vdc/models/metric_names.hpp"

namespace vdc::models::storage::detail {

std::string_view StorageArea::policy_name(const DiskConfig& d) const {
  if (d.policy_id >= 0) return config_.storage.policies[static_cast<std::size_t>(d.policy_id)].name;
  return "default";
}

const StoragePolicyConfig& StorageArea::policy_of(const DiskConfig& d, const Datastore& ds) const {
  if (d.policy_id >= 0) return config_.storage.policies[static_cast<std::size_t>(d.policy_id)];
  return ds.cfg->default_policy;
}

std::string_view StorageArea::snapshot_format(const Disk& d) const {
  if (d.delta_rate <= 0.0 && d.deltas.empty()) return "";
  const DatastoreConfig& c = *datastores_[d.ds].cfg;
  if (c.kind != DatastoreKind::vmfs) return "";
  return c.version >= 6 || d.cfg->size_gib >= 2048.0 ? "sesparse" : "vmfssparse";
}

void StorageArea::space_changed(std::size_t i) {
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

bool StorageArea::place_object(std::size_t i, const StoragePolicyConfig& policy, double size_gib, double used_gib, int stripes, Object* out, std::string* why) const {
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

std::size_t StorageArea::add_object(Object o) {
  Datastore& d = datastores_[o.ds];
  for (std::size_t p = 0; p < o.pieces.size(); ++p) {
    d.host_raw[o.pieces[p].host] += o.piece_raw(p);
    d.host_components[o.pieces[p].host] += o.piece_components(p);
  }
  d.provisioned += o.size_gib * o.scheme.multiplier;
  objects_.push_back(std::move(o));
  return objects_.size() - 1;
}

void StorageArea::drop_object(std::size_t i) {
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

void StorageArea::grow_object(std::size_t i, double gib) {
  Object& o = objects_[i];
  Datastore& d = datastores_[o.ds];
  for (std::size_t p = 0; p < o.pieces.size(); ++p) d.host_raw[o.pieces[p].host] -= o.piece_raw(p);
  o.used_gib = std::min(o.size_gib, o.used_gib + gib);
  for (std::size_t p = 0; p < o.pieces.size(); ++p) d.host_raw[o.pieces[p].host] += o.piece_raw(p);
}

void StorageArea::create_disks(VmId v) {
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

void StorageArea::create_swap(VmId v) {
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

void StorageArea::remove_swap(VmId v) {
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

void StorageArea::metadata_update(std::size_t i) {
  Datastore& d = datastores_[i];
  if (d.cfg->kind != DatastoreKind::vmfs || d.cfg->locking != VmfsLocking::ats_scsi) return;
  ++d.scsi_reservations;
  d.reserved_s += hold_;
}

void StorageArea::schedule_snapshots() {
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

void StorageArea::take_snapshot(VmId v, double rate) {
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

void StorageArea::grow_snapshots() {
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

}  // namespace vdc::models::storage::detail
