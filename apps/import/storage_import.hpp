#pragma once
// vDatastore into the scenario's datastores and vDisk into each VM's disks.

#include <vector>

#include "rvtools_tables.hpp"
#include "vdc/import/rvtools.hpp"

namespace vdc::import::detail {

/// Fills result.datastores (with what became of each), config.storage and each VM's disks
/// from the vDatastore and vDisk tabs of `book`, when present. `vms` is parallel to
/// result.config.vms and `hosts` to result.config.hosts.
void import_storage(const Workbook& book, const std::vector<VmRow>& vms,
                    const std::vector<HostRow>& hosts, ImportResult& result);

}  // namespace vdc::import::detail
