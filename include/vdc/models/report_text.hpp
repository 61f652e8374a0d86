#pragma once
/// Small helpers for the text an area's report description writes into the terminal
/// summary (AreaReportSpec::text, verdict lines), so that every area words and aligns its
/// tables alike.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace vdc::models::report_text {

/// Rows a table of the terminal summary shows at most.
inline constexpr std::size_t kRowsShown = 10;

/// "1 VM", "2 VMs".
[[nodiscard]] inline std::string count(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

/// Width of a name column: its header, and never less than `least`, widened to the longest
/// name among the first `shown` rows, so that long names push the other columns right
/// instead of breaking them.
template <typename Range, typename Name>
[[nodiscard]] std::size_t name_width(const Range& rows, std::size_t shown, std::size_t least, Name name) {
  std::size_t w = least;
  std::size_t i = 0;
  for (const auto& r : rows) {
    if (i++ >= shown) break;
    w = std::max(w, std::string_view(name(r)).size());
  }
  return w;
}

/// A VM's host for a table: "-" when it never ran.
[[nodiscard]] inline std::string_view host_or_dash(std::string_view host) {
  return host.empty() ? std::string_view("-") : host;
}

}  // namespace vdc::models::report_text
