#include <algorithm>
#include <cctype>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "vdc/models/gpu/boards.hpp"
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

/// Optimal-string-alignment distance between two short ASCII names, case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

/// `text` after `lead`, wrapped at word boundaries to about 100 columns; continuation lines
/// are indented by `indent`.
std::string wrap(std::string_view lead, std::string_view text, std::size_t indent) {
  constexpr std::size_t kWidth = 100;
  std::string out(lead);
  std::size_t column = out.size();
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
    if (column > indent && column + 1 + word.size() > kWidth) {
      out += '\n';
      out.append(indent, ' ');
      column = indent;
    } else if (column > indent || out.size() > indent) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
  }
  return out + '\n';
}

void print_area(const models::ModelArea& a) {
  std::cout << fmt::format("[{}]\n", a.name);
  std::cout << wrap("  models:", a.description, 4);
  std::cout << wrap("  scenario:", a.scenario, 4);
  std::cout << wrap("  docs:", a.docs, 4);
  bool any = false;
  for (const auto& p : models::all_parameters()) {
    if (p.area != a.name) continue;
    any = true;
    const bool advanced = p.scope == models::ParameterScope::advanced;
    std::cout << fmt::format("  {}  ({}, default {:g}{}{}, range {:g}..{:g})\n", p.name,
                             advanced ? "host advanced setting" : "model parameter", p.default_value,
                             unit_name(p.unit).empty() ? "" : " ", unit_name(p.unit), p.min_value, p.max_value);
    std::cout << fmt::format("      {}\n      reference: {}\n", p.help, p.reference);
    if (!p.choices.empty()) {
      std::string choices;
      for (std::size_t i = 0; i < p.choices.size(); ++i) {
        choices += fmt::format("{}{} = {}", i == 0 ? "" : ", ", p.choices[i], i);
      }
      std::cout << fmt::format("      choices: {}\n", choices);
    }
  }
  // The GPU boards and their profiles are data (data/gpu/), listed with the area.
  if (a.name == "gpu") std::cout << models::gpu::describe_boards();
  if (!any) {
    std::cout << "  no tunable parameters: what this area models is set by the scenario keys above\n";
  }
}

}  // namespace

int describe_command(const std::string& area) {
  const auto areas = models::model_areas();
  const models::ModelArea* only = nullptr;
  for (const auto& a : areas) {
    if (a.name == area) only = &a;
  }
  if (!area.empty() && only == nullptr) {
    std::string names, suggestion;
    std::size_t best = std::max<std::size_t>(1, std::min<std::size_t>(2, (area.size() + 1) / 3)) + 1;
    for (const auto& a : areas) {
      names += names.empty() ? "" : ", ";
      names += a.name;
      const std::size_t d = edit_distance(area, a.name);
      if (d < best) {
        best = d;
        suggestion = a.name;
      }
    }
    std::cerr << fmt::format("vdcsim: error: unknown area '{}'{} (the areas: {})\n", area,
                             suggestion.empty() ? "" : fmt::format("; did you mean '{}'?", suggestion), names);
    return kExitInvalid;
  }
  if (only != nullptr) {
    print_area(*only);
    return kExitOk;
  }
  for (std::size_t i = 0; i < areas.size(); ++i) {
    if (i > 0) std::cout << '\n';
    print_area(areas[i]);
  }
  return kExitOk;
}

int models_command() {
  for (const auto& a : models::model_areas()) std::cout << fmt::format("{:<10} {}\n", a.name, a.description);
  return kExitOk;
}

}  // namespace vdc::cli
