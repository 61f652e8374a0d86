// Default hooks of an area (include/vdc/models/area.hpp): an area overrides what concerns it.
#include "vdc/models/area.hpp"

namespace vdc::models {

std::optional<std::string> Area::refusal(VmId, HostId) const { return std::nullopt; }
void Area::power_on(VmId, HostId) {}
void Area::power_off(VmId) {}
void Area::depart(VmId, HostId) {}
void Area::arrive(VmId, HostId) {}
void Area::host_failed(HostId) {}
void Area::host_restored(HostId) {}
void Area::finish(sim::Time, RunResult&) {}

}  // namespace vdc::models
