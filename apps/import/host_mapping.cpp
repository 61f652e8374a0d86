#include "host_mapping.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <optional>
#include <string>

#include "vdc/io/text.hpp"

namespace vdc::import::detail {
namespace {

using io::iequals;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_ip_address(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789.") == std::string_view::npos;
}

/// Lower-case name before the first '.'; the whole name for an IP address.
std::string short_name(std::string_view s) {
  return lower(is_ip_address(s) ? s : s.substr(0, s.find('.')));
}

/// The only host satisfying `match`, or nothing when none or several do.
template <typename Match>
std::optional<std::size_t> unique(const std::vector<HostRow>& hosts, Match&& match) {
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (!match(hosts[i])) continue;
    if (found) return std::nullopt;
    found = i;
  }
  return found;
}

std::optional<std::size_t> match_host(const std::vector<HostRow>& hosts, const std::string& name,
                                      const std::string& cluster, MatchRule& rule) {
  if (name.empty()) return std::nullopt;
  if (auto h = unique(hosts, [&](const HostRow& r) { return iequals(r.name, name); })) {
    rule = MatchRule::exact;
    return h;
  }
  const std::string mine = short_name(name);
  if (!is_ip_address(name)) {
    if (auto h = unique(hosts, [&](const HostRow& r) {
          return !is_ip_address(r.name) && short_name(r.name) == mine;
        })) {
      rule = MatchRule::short_name;
      return h;
    }
    // Too short a common part would match unrelated hosts ("01").
    constexpr std::size_t min_suffix = 4;
    const auto suffix_match = [&](const HostRow& r) {
      if (is_ip_address(r.name) || !iequals(r.cluster, cluster)) return false;
      const std::string theirs = short_name(r.name);
      const std::string& longer = theirs.size() > mine.size() ? theirs : mine;
      const std::string& shorter = theirs.size() > mine.size() ? mine : theirs;
      return shorter.size() >= min_suffix && longer.ends_with(shorter);
    };
    if (auto h = unique(hosts, suffix_match)) {
      rule = MatchRule::suffix;
      return h;
    }
  }
  rule = MatchRule::placed;
  return std::nullopt;
}

}  // namespace

HostAssignment assign_hosts(const std::vector<HostRow>& hosts, const std::vector<VmRow>& vms) {
  assert(!hosts.empty());
  HostAssignment out;
  out.vm_host.assign(vms.size(), 0);
  out.placed.assign(vms.size(), false);
  std::map<std::string, std::size_t> mapping_of;  // vInfo Host value -> index in out.mappings
  std::vector<std::optional<std::size_t>> mapping_host;  // per mapping, its host
  std::vector<std::optional<std::size_t>> matched(vms.size());
  for (std::size_t i = 0; i < vms.size(); ++i) {
    const VmRow& vm = vms[i];
    const auto [it, fresh] = mapping_of.emplace(vm.host, out.mappings.size());
    if (fresh) {
      HostMapping m{vm.host, vm.cluster, {}, MatchRule::placed, 0};
      const auto h = match_host(hosts, vm.host, vm.cluster, m.rule);
      if (h) m.host = hosts[*h].name;
      out.mappings.push_back(m);
      mapping_host.push_back(h);
    }
    ++out.mappings[it->second].vms;
    matched[i] = mapping_host[it->second];
  }

  std::vector<double> vcpus_on(hosts.size(), 0.0);
  std::vector<double> memory_on(hosts.size(), 0.0);
  for (std::size_t i = 0; i < vms.size(); ++i) {
    if (!matched[i]) continue;
    out.vm_host[i] = *matched[i];
    if (vms[i].power == Power::on) {
      vcpus_on[*matched[i]] += *vms[i].vcpus;
      memory_on[*matched[i]] += *vms[i].memory_mib;
    }
  }

  // Largest first: powered-on VMs, then by memory, vCPUs and vInfo order.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < vms.size(); ++i) {
    if (!matched[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const bool on_a = vms[a].power == Power::on;
    const bool on_b = vms[b].power == Power::on;
    if (on_a != on_b) return on_a;
    if (*vms[a].memory_mib != *vms[b].memory_mib) return *vms[a].memory_mib > *vms[b].memory_mib;
    return *vms[a].vcpus > *vms[b].vcpus;
  });
  out.fits.assign(vms.size(), true);
  for (const std::size_t i : order) {
    const VmRow& vm = vms[i];
    const bool cluster_known = std::any_of(hosts.begin(), hosts.end(), [&](const HostRow& r) {
      return iequals(r.cluster, vm.cluster);
    });
    const auto free_of = [&](std::size_t h) { return hosts[h].memory_mib - memory_on[h]; };
    const auto load_of = [&](std::size_t h) {
      return vcpus_on[h] / static_cast<double>(hosts[h].sockets * hosts[h].cores_per_socket);
    };
    // True when host a is a better choice than host b: more free memory, then less CPU load.
    const auto better = [&](std::size_t a, std::size_t b) {
      if (free_of(a) != free_of(b)) return free_of(a) > free_of(b);
      return load_of(a) < load_of(b);
    };
    std::optional<std::size_t> best;     // among the hosts where the VM fits
    std::optional<std::size_t> roomiest;  // among all candidates
    for (std::size_t h = 0; h < hosts.size(); ++h) {
      if (cluster_known && !iequals(hosts[h].cluster, vm.cluster)) continue;
      if (!roomiest || better(h, *roomiest)) roomiest = h;
      const bool fits = vm.power != Power::on || memory_on[h] + *vm.memory_mib <= hosts[h].memory_mib;
      if (fits && (!best || better(h, *best))) best = h;
    }
    const std::size_t h = best ? *best : *roomiest;
    out.vm_host[i] = h;
    out.placed[i] = true;
    out.fits[i] = best.has_value();
    out.placement_order.push_back(i);
    if (vm.power == Power::on) {
      vcpus_on[h] += *vm.vcpus;
      memory_on[h] += *vm.memory_mib;
    }
  }
  return out;
}

}  // namespace vdc::import::detail
