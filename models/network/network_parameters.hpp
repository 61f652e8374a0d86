#pragma once
// The network area's parameters: models/network/network_parameters.cpp.

#include <span>

#include "vdc/models/parameters.hpp"

namespace vdc::models::network {

[[nodiscard]] std::span<const ModelParameter> network_parameters();

}  // namespace vdc::models::network
