// The text an import prints: what was found, the per-cluster overcommit ratios, the
// datastores, how VMs were mapped to hosts and every disagreement between tabs.
#include <algorithm>
#include <map>
#include <string>

#include <fmt/format.h>

#include "vdc/import/rvtools.hpp"

namespace vdc::import {
namespace {

struct ClusterTotals {
  int hosts = 0;
  int pcpus = 0;
  double pram_mib = 0.0;
  int vms_on = 0;
  int vcpus_on = 0;
  double vram_on_mib = 0.0;
};

const char* rule_text(MatchRule rule) {
  switch (rule) {
    case MatchRule::exact:
      return "same name";
    case MatchRule::short_name:
      return "same short name";
    case MatchRule::suffix:
      return "short-name suffix, same cluster";
    case MatchRule::placed:
      return "not in vHost";
  }
  return "?";
}

std::string ratio(double a, double b) {
  return b > 0.0 ? fmt::format("{:.2f}", a / b) : std::string("-");
}

void cluster_row(std::string& out, const std::string& name, const ClusterTotals& t) {
  constexpr double gib = 1024.0;
  out += fmt::format("  {:<16} {:>5} {:>6} {:>10.1f} {:>6} {:>6} {:>10.1f} {:>10} {:>10}\n", name,
                     t.hosts, t.pcpus, t.pram_mib / gib, t.vms_on, t.vcpus_on, t.vram_on_mib / gib,
                     ratio(t.vcpus_on, t.pcpus), ratio(t.vram_on_mib, t.pram_mib));
}

}  // namespace

std::string import_summary(const ImportResult& r) {
  const models::ScenarioConfig& c = r.config;
  std::string out = fmt::format("RVTools import of {} ({})\n", r.source_name, r.source_kind);
  out += "Tabs:\n";
  for (const TabUse& t : r.tab_uses) {
    out += t.rows < 0 ? fmt::format("  {}: {}\n", t.tab, t.use)
                      : fmt::format("  {} ({} {}): {}\n", t.tab, t.rows,
                                    t.rows == 1 ? "row" : "rows", t.use);
  }
  int on = 0;
  for (const auto& v : c.vms) on += v.powered_on ? 1 : 0;
  out += fmt::format(
      "Hosts: {} from vHost in {} clusters. VMs: {} from vInfo ({} powered on, {} powered off); "
      "{} templates not imported.\n",
      c.hosts.size(), c.clusters.size(), c.vms.size(), on, static_cast<int>(c.vms.size()) - on,
      r.templates);
  out += "\nWorkloads:\n";
  for (const std::string& w : r.workload_notes) out += fmt::format("  {}\n", w);
  out += "\n";

  // Clusters in vHost order, standalone hosts last.
  std::vector<std::string> order;
  std::map<std::string, ClusterTotals> totals;
  std::map<std::string, std::string> cluster_of_host;
  for (const auto& h : c.hosts) {
    const std::string key = h.cluster.empty() ? "(standalone)" : h.cluster;
    if (!totals.count(key)) order.push_back(key);
    ClusterTotals& t = totals[key];
    ++t.hosts;
    t.pcpus += h.cpu.pcpus();
    t.pram_mib += h.memory_mib;
    cluster_of_host[h.name] = key;
  }
  for (const auto& v : c.vms) {
    if (!v.powered_on) continue;
    ClusterTotals& t = totals[cluster_of_host[v.host]];
    ++t.vms_on;
    t.vcpus_on += v.vcpus;
    t.vram_on_mib += v.memory_mib;
  }
  if (const auto it = std::find(order.begin(), order.end(), "(standalone)"); it != order.end()) {
    order.erase(it);
    order.push_back("(standalone)");
  }
  out += "Per cluster (powered-on VMs; pCPU = physical cores, hyperthreads not counted):\n";
  out +=
      fmt::format("  {:<16} {:>5} {:>6} {:>10} {:>6} {:>6} {:>10} {:>10} {:>10}\n", "cluster",
                  "hosts", "pCPU", "pRAM GiB", "VMs", "vCPU", "vRAM GiB", "vCPU:pCPU", "vRAM:pRAM");
  ClusterTotals all;
  for (const auto& name : order) {
    const ClusterTotals& t = totals[name];
    cluster_row(out, name, t);
    all.hosts += t.hosts;
    all.pcpus += t.pcpus;
    all.pram_mib += t.pram_mib;
    all.vms_on += t.vms_on;
    all.vcpus_on += t.vcpus_on;
    all.vram_on_mib += t.vram_on_mib;
  }
  cluster_row(out, "total", all);

  if (!r.has_datastore_tab) {
    out += "\nDatastores: none listed (the export has no vDatastore tab).\n";
  } else {
    const auto in = std::count_if(r.datastores.begin(), r.datastores.end(),
                                  [](const ImportedDatastore& d) { return d.left_out.empty(); });
    out += fmt::format("\nDatastores (vDatastore): {}, {} imported\n", r.datastores.size(), in);
    out += fmt::format("  {:<24} {:<8} {:>14} {:>12} {:>16}  {}\n", "name", "type", "capacity GiB",
                       "free GiB", "provisioned GiB", "in the scenario");
    for (const auto& d : r.datastores) {
      out += fmt::format("  {:<24} {:<8} {:>14.1f} {:>12.1f} {:>16.1f}  {}\n", d.name, d.type,
                         d.capacity_mib / 1024.0, d.free_mib / 1024.0, d.provisioned_mib / 1024.0,
                         d.left_out.empty() ? fmt::format("as '{}'", d.scenario_name)
                                            : fmt::format("left out: {}", d.left_out));
    }
  }
  const DiskImport& disks = r.disks;
  if (!disks.has_tab) {
    out += "\nDisks: none listed (the export has no vDisk tab).\n";
  } else {
    out += fmt::format("\nDisks (vDisk): {} rows, {} imported on {} VMs", disks.rows, disks.imported,
                       disks.vms);
    if (disks.templates > 0) out += fmt::format(", {} of templates not imported", disks.templates);
    out += "\n";
    for (const std::string& why : disks.left_out) out += fmt::format("  left out: {}\n", why);
  }
  for (const std::string& note : disks.notes) out += fmt::format("  note: {}\n", note);

  out +=
      "\nHost-name mapping (vInfo Host -> vHost Host; rules: same name, same short name, "
      "short-name suffix\n"
      "within the cluster, else each VM placed by the placement rule below):\n";
  for (const HostMapping& m : r.mappings) {
    const std::string from = m.vinfo_host.empty() ? std::string("(empty)") : m.vinfo_host;
    const std::string vms = m.vms == 1 ? std::string("1 VM") : fmt::format("{} VMs", m.vms);
    if (m.rule == MatchRule::placed) {
      out += fmt::format("  {} -> (placed by rule; {}; {})\n", from, rule_text(m.rule), vms);
    } else {
      out += fmt::format("  {} -> {} ({}; {})\n", from, m.host, rule_text(m.rule), vms);
    }
  }
  if (!r.placements.empty()) {
    out += fmt::format(
        "Placed ({} VMs; rule: powered-on VMs first, largest configured memory first, each on "
        "the host of\n"
        "its cluster with the most memory not yet taken by powered-on VMs among those that "
        "still hold it,\n"
        "ties broken by the fewest powered-on vCPUs per core, then vHost order; powered-off "
        "VMs add no load):\n",
        r.placements.size());
    for (const Placement& p : r.placements) {
      out += fmt::format("  {} (vInfo host {}; {} vCPU, {:.1f} GiB{}) -> {}{}\n", p.vm,
                         p.vinfo_host.empty() ? "(empty)" : p.vinfo_host, p.vcpus,
                         p.memory_mib / 1024.0, p.powered_on ? "" : ", powered off", p.host,
                         p.fits ? "" : " (no host had room)");
    }
  }
  if (!r.standins.empty()) {
    out += fmt::format("Stand-ins for VMs vHost counts and vInfo does not list ({} VMs):\n", r.standins.size());
    for (const StandinVm& st : r.standins) {
      const auto it = std::find_if(r.config.vms.begin(), r.config.vms.end(),
                                   [&](const models::VmConfig& v) { return v.name == st.vm; });
      out += fmt::format("  {} on {}: stands for {} VM{}; {} vCPU, {:.1f} GiB\n", st.vm, st.host, st.stands_for,
                         st.stands_for == 1 ? "" : "s", it->vcpus, it->memory_mib / 1024.0);
    }
  }
  out += "\nMemory capacity by placement (powered-on vRAM against host memory): ";
  if (r.capacity_problems.empty()) {
    out += "every host holds its VMs.\n";
  } else {
    out += "\n";
    for (const std::string& p : r.capacity_problems) out += fmt::format("  - {}\n", p);
  }

  out +=
      fmt::format("\nDisagreements between tabs and adjustments ({}):\n", r.disagreements.size());
  if (r.disagreements.empty()) out += "  none\n";
  for (const std::string& d : r.disagreements) out += fmt::format("  - {}\n", d);
  return out;
}

}  // namespace vdc::import
