// The imported inventory as a scenario file in the format of docs/scenario.md.
#include <algorithm>
#include <cmath>
#include <set>
#include <variant>
#include <string>

#include <fmt/format.h>

#include "vdc/import/rvtools.hpp"

namespace vdc::import {
namespace {

/// `s` as a YAML flow scalar: plain when that cannot be misread (a word starting with a
/// letter or '_', holding letters, digits, ' ', '.', '_', '-', '(', ')', and not a YAML
/// 1.1 boolean or null), else double-quoted with escapes.
std::string yaml_scalar(std::string_view s) {
  static const std::set<std::string, std::less<>> reserved{"y",   "n",    "yes",   "no",  "on",
                                                           "off", "true", "false", "null"};
  const auto plain_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == ' ' || c == '(' || c == ')';
  };
  std::string lowered(s);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  const bool plain =
      !s.empty() && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_') &&
      s.back() != ' ' && std::all_of(s.begin(), s.end(), plain_char) && !reserved.count(lowered);
  if (plain) return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

const char* level_name(models::ShareLevel level) {
  switch (level) {
    case models::ShareLevel::low:
      return "low";
    case models::ShareLevel::normal:
      return "normal";
    case models::ShareLevel::high:
      return "high";
    case models::ShareLevel::custom:
      return "custom";
  }
  return "normal";
}

/// ", cpu: {...}" with the settings that differ from the defaults (normal, 0, unlimited).
std::string allocation(std::string_view key, const models::Allocation& a, std::string_view unit) {
  std::vector<std::string> parts;
  if (a.level == models::ShareLevel::custom) {
    parts.push_back(fmt::format("shares: {}", a.custom_shares));
  } else if (a.level != models::ShareLevel::normal) {
    parts.push_back(fmt::format("shares: {}", level_name(a.level)));
  }
  if (a.reservation > 0.0) parts.push_back(fmt::format("reservation: {} {}", a.reservation, unit));
  if (a.limit) parts.push_back(fmt::format("limit: {} {}", *a.limit, unit));
  if (parts.empty()) return {};
  return fmt::format(", {}: {{{}}}", key, fmt::join(parts, ", "));
}

/// A fraction as a percentage with four significant digits and no exponent ("12.35%",
/// "0.01234%", "100%"); below 1e-6 percent, "0%".
std::string percent(double fraction) {
  const double p = fraction * 100.0;
  if (!(p >= 1e-6)) return "0%";
  const int digits = std::clamp(3 - static_cast<int>(std::floor(std::log10(p))), 0, 9);
  std::string text = fmt::format("{:.{}f}", p, digits);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text + "%";
}

/// ", workload: {...}" for a VM whose workload was seeded; empty otherwise.
std::string workload(const models::VmConfig& v, const VmSeed& seed) {
  std::vector<std::string> parts;
  if (seed.cpu != SeedSource::none) {
    if (const auto* c = std::get_if<models::ConstantCpu>(&v.cpu_workload)) {
      parts.push_back(fmt::format("cpu: {{kind: constant, demand: {}}}", percent(c->demand)));
    } else if (const auto* d = std::get_if<models::DiurnalCpu>(&v.cpu_workload)) {
      const std::int64_t peak_min = d->peak.ns() / 60'000'000'000;
      parts.push_back(fmt::format(
          "cpu: {{kind: diurnal, mean: {}, amplitude: {}, peak: \"{:02}:{:02}\", step: {}m}}",
          percent(d->mean), percent(d->amplitude), peak_min / 60, peak_min % 60,
          d->step.ns() / 60'000'000'000));
    }
  }
  if (seed.memory != SeedSource::none) {
    parts.push_back(fmt::format("memory: {{active: {}, touched: {}}}",
                                percent(v.mem_workload.active), percent(v.mem_workload.touched)));
  }
  if (parts.empty()) return {};
  return fmt::format(", workload: {{{}}}", fmt::join(parts, ", "));
}

const char* kind_name(models::DatastoreKind k) {
  switch (k) {
    case models::DatastoreKind::vmfs: return "vmfs";
    case models::DatastoreKind::nfs: return "nfs";
    case models::DatastoreKind::vsan: return "vsan";
    case models::DatastoreKind::vvols: return "vvols";
  }
  return "vmfs";
}

/// One datastore as a flow mapping.
std::string datastore(const models::DatastoreConfig& d) {
  std::string out = fmt::format("{{name: {}, kind: {}", yaml_scalar(d.name), kind_name(d.kind));
  if (d.kind == models::DatastoreKind::vmfs) out += fmt::format(", version: {}", d.version);
  if (d.kind == models::DatastoreKind::nfs) out += d.version == 41 ? ", version: 4.1" : ", version: 3";
  if (d.kind == models::DatastoreKind::vsan) {
    out += fmt::format(", cluster: {}, capacity_per_host: {} MiB", yaml_scalar(d.cluster),
                       d.capacity_per_host_gib * 1024.0);
  } else {
    out += fmt::format(", capacity: {} MiB", d.capacity_gib * 1024.0);
  }
  if (!d.hosts.empty()) {
    std::vector<std::string> hosts;
    for (const std::string& h : d.hosts) hosts.push_back(yaml_scalar(h));
    out += fmt::format(", hosts: [{}]", fmt::join(hosts, ", "));
  }
  if (d.vaai_nas) out += ", vaai_nas: true";
  return out + "}";
}

/// ", disks: [...]" for a VM with disks; empty otherwise.
std::string disks(const models::VmConfig& v) {
  if (v.disks.empty()) return {};
  std::vector<std::string> parts;
  for (const models::DiskConfig& d : v.disks) {
    std::string p = fmt::format("{{size: {} MiB, datastore: {}", d.size_gib * 1024.0, yaml_scalar(d.datastore));
    if (d.provisioning == models::Provisioning::lazy_zeroed) p += ", provisioning: lazy_zeroed";
    if (d.provisioning == models::Provisioning::eager_zeroed) p += ", provisioning: eager_zeroed";
    parts.push_back(p + "}");
  }
  return fmt::format(", disks: [{}]", fmt::join(parts, ", "));
}

/// `text` as YAML comment lines of at most about 90 characters.
std::string comment_lines(const std::string& text) {
  std::string out;
  std::string line = "#";
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (line.size() > 2 && line.size() + 1 + word.size() > 90) {
      out += line + "\n";
      line = "#  ";
      line += word;
    } else {
      line += " " + word;
    }
    start = end + 1;
  }
  return out + line + "\n";
}

}  // namespace

std::string to_scenario_yaml(const ImportResult& r) {
  const models::ScenarioConfig& c = r.config;
  const auto on = std::count_if(c.vms.begin(), c.vms.end(),
                                [](const models::VmConfig& v) { return v.powered_on; });
  std::string y;
  y += fmt::format("# Generated by `vdcsim import rvtools` from {} ({}; tabs: {}).\n",
                   r.source_name, r.source_kind, fmt::join(r.tabs, ", "));
  y += fmt::format(
      "# {} hosts, {} VMs ({} powered on, {} powered off); {} templates not imported.\n",
      c.hosts.size(), c.vms.size(), on, static_cast<std::ptrdiff_t>(c.vms.size()) - on,
      r.templates);
  y += std::string("# Workloads (`--workload ") +
       (r.options.shape == WorkloadShape::diurnal ? "diurnal" : "constant") + "`):\n";
  for (const std::string& w : r.workload_notes) y += comment_lines(w);
  if (r.has_datastore_tab || r.disks.has_tab) {
    const auto in = std::count_if(r.datastores.begin(), r.datastores.end(),
                                  [](const ImportedDatastore& d) { return d.left_out.empty(); });
    y += comment_lines(fmt::format(
        "Storage: {} of {} datastores of vDatastore, {} of {} disks of vDisk; the summary says "
        "why the others were left out.",
        in, r.datastores.size(), r.disks.imported, r.disks.rows));
  }
  y += "# The host-name mapping, the placements and every disagreement between tabs are in the\n"
       "# import summary, with the tabs left out (networks: not modelled yet).\n";
  y += fmt::format("name: {}\n", yaml_scalar(c.name));
  const auto minutes = [](sim::Time t) { return t.ns() / 60'000'000'000; };
  if (c.warmup > sim::Time::zero()) y += fmt::format("warmup: {}m\n", minutes(c.warmup));
  y += fmt::format("duration: {}m\n", minutes(c.duration));

  y += "host_profiles:\n";
  for (const ImportedProfile& p : r.profiles) {
    const models::CpuTopology& cpu = p.hardware.cpu;
    y += fmt::format(
        "  {}:\n    cpu: {{sockets: {}, cores_per_socket: {}, threads_per_core: {}, frequency: {} "
        "MHz}}\n"
        "    memory: {} MiB\n",
        yaml_scalar(p.name), cpu.sockets, cpu.cores_per_socket, cpu.threads_per_core,
        cpu.frequency_mhz, p.hardware.memory_mib);
  }
  y += "hosts:\n";
  for (std::size_t h = 0; h < c.hosts.size(); ++h) {
    y += fmt::format("  - {{name: {}, profile: {}}}\n", yaml_scalar(c.hosts[h].name),
                     yaml_scalar(r.profiles[r.host_profile[h]].name));
  }
  if (!c.clusters.empty()) {
    y += "clusters:\n";
    for (const models::ClusterConfig& cl : c.clusters) {
      std::vector<std::string> members;
      for (const std::string& h : cl.hosts) members.push_back(yaml_scalar(h));
      y += fmt::format("  - name: {}\n    hosts: [{}]\n", yaml_scalar(cl.name),
                       fmt::join(members, ", "));
    }
  }
  if (!c.storage.datastores.empty()) {
    y += "datastores:\n";
    for (const models::DatastoreConfig& d : c.storage.datastores) y += "  - " + datastore(d) + "\n";
  }
  y += c.vms.empty() ? "vms: []\n" : "vms:\n";
  for (std::size_t i = 0; i < c.vms.size(); ++i) {
    const models::VmConfig& v = c.vms[i];
    y += fmt::format("  - {{name: {}, vcpus: {}, memory: {} MiB, host: {}", yaml_scalar(v.name),
                     v.vcpus, v.memory_mib, yaml_scalar(v.host));
    if (!v.cluster.empty()) y += fmt::format(", cluster: {}", yaml_scalar(v.cluster));
    y += allocation("cpu", v.cpu, "MHz");
    y += allocation("mem", v.mem, "MiB");
    if (!v.guest.os.empty()) y += fmt::format(", guest: {{os: {}}}", yaml_scalar(v.guest.os));
    if (!v.powered_on) y += ", powered_on: false";
    if (i < r.seeds.size()) y += workload(v, r.seeds[i]);
    y += disks(v);
    y += "}\n";
  }
  return y;
}

}  // namespace vdc::import
