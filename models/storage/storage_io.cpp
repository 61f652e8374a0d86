// The storage area: the VMs' I/O, the queueing solve of each datastore and what it publishes (models/storage/storage_model.hpp).
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "storage_model.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/trace/trace_cache.hpp"

namespace vdc::models::storage::detail {

void StorageArea::start_io(VmId v) {
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

void StorageArea::trace_step(VmId v) {
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

void StorageArea::touch_vm(VmId v) {
  for (const DiskShare& s : vms_[v].shares) mark(s.ds);
}

void StorageArea::mark(std::size_t i) {
  Datastore& d = datastores_[i];
  if (d.dirty) return;
  d.dirty = true;
  ctx_.sim.at(ctx_.sim.now(), [this, i] { solve_datastore(i); });
}

void StorageArea::solve_datastore(std::size_t i) {
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
  // Only hosts with I/O here now, or at the last solve, can have a part that moved.
  std::vector<HostId> touched = local_;
  for (const HostId h : d.part_hosts) {
    if (host_local_[h] < 0) touched.push_back(h);
  }
  d.part_hosts.clear();
  for (const HostId h : touched) {
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
    if (now_part.cmds != 0.0 || now_part.queued != 0.0) d.part_hosts.push_back(h);
    publish_host(h, now);
  }
  for (const HostId h : local_) host_local_[h] = -1;
}

bool StorageArea::readable(VmId v) const {
  for (const std::size_t k : vms_[v].disks) {
    if (disks_[k].object && !objects_[*disks_[k].object].readable()) return false;
  }
  return true;
}

double StorageArea::nfs_path_bytes_s(HostId h, int version) const {
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

void StorageArea::publish_vm(VmId v, double t) {
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

void StorageArea::publish_host(HostId h, sim::Time now) {
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

}  // namespace vdc::models::storage::detail
