// The storage area: include/vdc/models/storage/storage_area.hpp, docs/storage.md. Its
// state and class are in storage_model.hpp; this file builds it, holds its hooks and
// report tables, and registers it.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "storage_model.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/network/network_area.hpp"

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

}  // namespace

namespace detail {

StorageArea::StorageArea(const AreaContext& ctx)
    : ctx_(ctx), config_(ctx.config), repair_delay_(parameter(config_, param_repair_delay)), stall_(parameter(config_, param_failure_stall)), kb_(parameter(config_, param_trace_kb)), hold_(parameter(config_, param_reservation_hold)), vvol_config_gib_(parameter(config_, param_vvol_config_gib)), warmup_(config_.warmup.seconds()), network_(config_.network.present) {
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

std::optional<std::string> StorageArea::refusal(VmId v, HostId host) const {
  auto why = refusal_of(v, host);
  refused_[v] = why.value_or(std::string());
  return why;
}

std::optional<std::string> StorageArea::refusal_of(VmId v, HostId host) const {
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

void StorageArea::power_on(VmId v, HostId host) {
  Vm& vm = vms_[v];
  if (vm.disks.empty() || vm.refusal) return;
  vm.on = true;
  vm.host = host;
  ++vm.epoch;
  create_swap(v);
  metadata_update(disks_[vm.disks.front()].ds);
  start_io(v);
}

void StorageArea::power_off(VmId v) {
  Vm& vm = vms_[v];
  if (!vm.on) return;
  vm.on = false;
  ++vm.epoch;
  remove_swap(v);
  metadata_update(disks_[vm.disks.front()].ds);
  vm.demand = 0.0;
  touch_vm(v);
}

void StorageArea::depart(VmId v, HostId) {
  Vm& vm = vms_[v];
  if (!vm.on) return;
  // The VM's worlds leave the source host's queues; its files stay where they are.
  vm.on = false;
  touch_vm(v);
}

void StorageArea::arrive(VmId v, HostId to) {
  Vm& vm = vms_[v];
  if (vm.disks.empty() || vm.refusal) return;
  vm.on = true;
  vm.host = to;
  metadata_update(disks_[vm.disks.front()].ds);
  touch_vm(v);
}

void StorageArea::host_failed(HostId host) {
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

void StorageArea::host_restored(HostId host) {
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

void StorageArea::finish(sim::Time end, RunResult& result) {
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

}  // namespace detail

namespace {

using detail::StorageArea;

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
