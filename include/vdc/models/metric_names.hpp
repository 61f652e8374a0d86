#pragma once
/// The entities under which every area publishes its metrics in sim::MetricsRegistry:
/// "host/<name>" and "vm/<name>". Each area keeps its metric names beside itself
/// (include/vdc/models/<area>/<area>_metrics.hpp); this header also gathers the CPU and
/// memory areas' names for the reports, which still read them by name.

#include <string>
#include <string_view>

#include "vdc/models/cpu/cpu_metrics.hpp"
#include "vdc/models/memory/memory_metrics.hpp"

namespace vdc::models::metric {

[[nodiscard]] inline std::string host_entity(std::string_view host) { return "host/" + std::string(host); }
[[nodiscard]] inline std::string vm_entity(std::string_view vm) { return "vm/" + std::string(vm); }

}  // namespace vdc::models::metric
