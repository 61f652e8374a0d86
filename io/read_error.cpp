#include "vdc/io/read_error.hpp"

#include <utility>

#include <fmt/format.h>

namespace vdc::io {
namespace {

std::string format_message(const ReadSite& site, const std::string& problem, const std::string& expected) {
  std::string text = site.file;
  if (site.line > 0) text += fmt::format(":{}", site.line);
  text += ": error: ";
  if (site.field > 0) text += fmt::format("field {}: ", site.field);
  text += problem;
  if (!expected.empty()) text += fmt::format(" (expected {})", expected);
  return text;
}

}  // namespace

ReadError::ReadError(ReadProblem kind, ReadSite site, const std::string& problem, const std::string& expected)
    : std::runtime_error(format_message(site, problem, expected)),
      kind_(kind),
      site_(std::move(site)),
      problem_(problem),
      expected_(expected) {}

}  // namespace vdc::io
