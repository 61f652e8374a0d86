#pragma once
/// Helpers of the scenario tests: load YAML text and look at what came out.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "vdc/scenario/loader.hpp"

/// Shows message lists in failed checks, one per line.
template <>
struct doctest::StringMaker<std::vector<std::string>> {
  static doctest::String convert(const std::vector<std::string>& lines) {
    std::string out = "\n";
    for (const std::string& l : lines) out += "  " + l + "\n";
    return out.c_str();
  }
};

namespace vdc::scenario::test {

/// The whole text of the file at `path`.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A valid scenario head (name, duration) to which a test appends its sections.
inline std::string scenario_text(std::string_view body) {
  return "name: t\nduration: 1h\n" + std::string(body);
}

/// Loads `yaml` as "t.yaml".
inline LoadResult load(std::string_view yaml) { return load_string(yaml, "t.yaml"); }

/// The diagnostics' full lines.
inline std::vector<std::string> messages(const LoadResult& r) {
  std::vector<std::string> out;
  for (const Diagnostic& d : r.diagnostics) out.push_back(d.message);
  return out;
}

/// The diagnostics' full lines, one per line.
inline std::string joined(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.message + "\n";
  return out;
}

/// Loads `yaml`, which must be valid and free of diagnostics, and returns its config.
inline models::ScenarioConfig load_ok(std::string_view yaml) {
  const LoadResult r = load(yaml);
  INFO(joined(r));
  REQUIRE(r.ok());
  CHECK(r.diagnostics.empty());
  return *r.config;
}

/// The one VM or host named `name`.
template <class T>
const T& named(const std::vector<T>& items, std::string_view name) {
  for (const T& item : items) {
    if (item.name == name) return item;
  }
  FAIL("no entity named " << name);
  return items.front();
}

}  // namespace vdc::scenario::test
