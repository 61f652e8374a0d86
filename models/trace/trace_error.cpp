#include "vdc/models/trace/trace_error.hpp"

#include <utility>

#include <fmt/format.h>

namespace vdc::models::trace {
namespace {

std::string format_message(const TraceErrorSite& site, const std::string& problem,
                           const std::string& expected) {
  std::string text = site.file;
  if (site.line > 0) text += fmt::format(":{}", site.line);
  text += ": error: ";
  if (site.field > 0) {
    text += site.column.empty() ? fmt::format("field {}: ", site.field)
                                : fmt::format("field {} '{}': ", site.field, site.column);
  }
  text += problem;
  if (!expected.empty()) text += fmt::format(" (expected {})", expected);
  return text;
}

}  // namespace

TraceError::TraceError(TraceErrorSite site, const std::string& problem, const std::string& expected)
    : std::runtime_error(format_message(site, problem, expected)),
      site_(std::move(site)),
      problem_(problem),
      expected_(expected) {}

}  // namespace vdc::models::trace
