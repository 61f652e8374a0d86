#pragma once
// Which vHost host each vInfo VM runs on (docs/traces.md "Host-name mapping"): vInfo's Host
// column often names hosts differently from vHost (FQDN against short name, a site prefix),
// and some hosts of vInfo are missing from vHost altogether.

#include <vector>

#include "rvtools_tables.hpp"
#include "vdc/import/rvtools.hpp"

namespace vdc::import::detail {

/// The host of every VM and how it was found.
struct HostAssignment {
  /// Per VM of the input, the index of its host in the hosts given.
  std::vector<std::size_t> vm_host;
  /// Per VM, true when it was placed by the placement rule.
  std::vector<bool> placed;
  /// The placed VMs (indices into the input) in the order they were placed.
  std::vector<std::size_t> placement_order;
  /// Per VM, false when it was placed though no host of its cluster had room for it.
  std::vector<bool> fits;
  /// One entry per distinct vInfo Host value, in order of first appearance.
  std::vector<HostMapping> mappings;
};

/// Maps each of `vms` (templates excluded) to one of `hosts` (at least one):
///  1. exact name (case-insensitive); 2. same short name (before the first '.', not for IP
///  addresses), when only one host has it; 3. within the VM's vInfo cluster, the only host
///  whose short name ends the vInfo short name or is ended by it; 4. otherwise each VM, in
///  vInfo order after every matched VM, goes to the host of its cluster (of all hosts when
///  the cluster has none in vHost) with the fewest powered-on vCPUs per core so far, the
///  first in vHost order on a tie. Powered-off VMs are placed the same way but add no load.
[[nodiscard]] HostAssignment assign_hosts(const std::vector<HostRow>& hosts,
                                          const std::vector<VmRow>& vms);

}  // namespace vdc::import::detail
