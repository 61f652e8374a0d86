#pragma once
/// The registry of model areas (models/registry.cpp): every area and variant a run can
/// build, listed once, in the order runs build them.

#include <span>
#include <vector>

#include "vdc/models/area.hpp"

namespace vdc::models {

/// Every registered area and variant, in the registry's order.
[[nodiscard]] std::span<const AreaSpec* const> area_registry();

/// The areas a run of `config` builds, in the registry's order: every registered area whose
/// `runs` accepts the scenario, in the variant named by the scenario's fidelity where the
/// area has variants ("fluid", "detailed").
[[nodiscard]] std::vector<const AreaSpec*> areas_for(const ScenarioConfig& config);

}  // namespace vdc::models
