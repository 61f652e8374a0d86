#include "sink.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace vdc::scenario {

std::string Diagnostic::format() const { return message; }

namespace detail {

Sink::Sink(std::string file) : file_(std::move(file)) {}

void Sink::error(Position at, std::string_view what, std::string_view expected,
                 std::string_view suggestion) {
  std::string text = fmt::format("{}:{}:{}: error: {}", file_, at.line, at.column, what);
  if (!expected.empty()) text += fmt::format(" ({})", expected);
  if (!suggestion.empty()) text += fmt::format("; did you mean '{}'?", suggestion);
  add(at, std::move(text), false);
}

void Sink::warning(Position at, std::string_view what) {
  add(at, fmt::format("{}:{}:{}: warning: {}", file_, at.line, at.column, what), true);
}

void Sink::add(Position at, std::string message, bool is_warning) {
  if (!seen_.insert(message).second) return;
  if (!is_warning) ++errors_;
  diagnostics_.push_back(Diagnostic{file_, at.line, at.column, std::move(message), is_warning});
}

std::vector<Diagnostic> Sink::take() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return a.line != b.line ? a.line < b.line : a.column < b.column;
                   });
  seen_.clear();
  errors_ = 0;
  return std::exchange(diagnostics_, {});
}

}  // namespace detail
}  // namespace vdc::scenario
