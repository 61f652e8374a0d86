#include <iostream>
#include <string_view>

#include <fmt/format.h>

#include "commands.hpp"
#include "vdc/models/parameters.hpp"

namespace vdc::cli {
namespace {

std::string_view unit_name(models::ParameterUnit u) {
  switch (u) {
    case models::ParameterUnit::none: return "";
    case models::ParameterUnit::fraction: return "fraction";
    case models::ParameterUnit::seconds: return "s";
    case models::ParameterUnit::mhz: return "MHz";
    case models::ParameterUnit::mib: return "MiB";
    case models::ParameterUnit::mbps: return "Mbps";
  }
  return "";
}

}  // namespace

int describe_command(const std::string& area) {
  bool known = area.empty();
  for (const auto& a : models::model_areas()) known = known || a.name == area;
  if (!known) {
    std::cerr << fmt::format("vdcsim: error: unknown area '{}' (see `vdcsim models`)\n", area);
    return kExitInvalid;
  }
  std::string_view current;
  for (const auto& p : models::all_parameters()) {
    if (!area.empty() && p.area != area) continue;
    if (p.area != current) {
      current = p.area;
      std::cout << fmt::format("\n[{}]\n", current);
    }
    const bool advanced = p.scope == models::ParameterScope::advanced;
    std::cout << fmt::format("  {}  ({}, default {:g}{}{}, range {:g}..{:g})\n", p.name,
                             advanced ? "host advanced setting" : "scenario parameters:", p.default_value,
                             unit_name(p.unit).empty() ? "" : " ", unit_name(p.unit), p.min_value, p.max_value);
    std::cout << fmt::format("      {}\n      reference: {}\n", p.help, p.reference);
  }
  return kExitOk;
}

int models_command() {
  for (const auto& a : models::model_areas()) std::cout << fmt::format("{:<10} {}\n", a.name, a.description);
  return kExitOk;
}

}  // namespace vdc::cli
