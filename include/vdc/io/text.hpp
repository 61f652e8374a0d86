#pragma once
/// Small text helpers shared by the CSV readers of traces and of the RVTools import.

#include <optional>
#include <string_view>

namespace vdc::io {

/// `text` without leading and trailing spaces and tabs.
[[nodiscard]] std::string_view trim(std::string_view text);

/// True when `a` and `b` are equal ignoring ASCII case.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);

/// The finite decimal number in `text` (surrounding spaces allowed, "1e3" allowed, no
/// thousands separators), or nothing when `text` is not one.
[[nodiscard]] std::optional<double> parse_number(std::string_view text);

}  // namespace vdc::io
