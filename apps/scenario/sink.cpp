#include "sink.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include <fmt/format.h>

#include "vdc/scenario/limits.hpp"

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
  if (!seen_.insert(std::hash<std::string>{}(message)).second) return;
  if (!is_warning) ++errors_;
  diagnostics_.push_back(
      Kept{Diagnostic{file_, at.line, at.column, std::move(message), is_warning}, sequence_++});
  // Trimming at twice the bound keeps the cost of a flood at O(n log bound).
  if (diagnostics_.size() >= 2 * limits::max_diagnostics_shown) trim();
}

void Sink::trim() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Kept& a, const Kept& b) {
    const Diagnostic& x = a.diagnostic;
    const Diagnostic& y = b.diagnostic;
    if (x.line != y.line) return x.line < y.line;
    if (x.column != y.column) return x.column < y.column;
    return a.sequence < b.sequence;
  });
  for (std::size_t i = limits::max_diagnostics_shown; i < diagnostics_.size(); ++i) {
    ++(diagnostics_[i].diagnostic.is_warning ? dropped_warnings_ : dropped_errors_);
  }
  if (diagnostics_.size() > limits::max_diagnostics_shown) {
    diagnostics_.resize(limits::max_diagnostics_shown);
  }
}

std::vector<Diagnostic> Sink::take() {
  trim();
  std::vector<Diagnostic> out;
  out.reserve(diagnostics_.size() + 1);
  for (Kept& k : diagnostics_) out.push_back(std::move(k.diagnostic));
  if (dropped_errors_ > 0 || dropped_warnings_ > 0) {
    const auto count = [](std::size_t n, std::string_view what) {
      return fmt::format("{} more {}{}", n, what, n == 1 ? "" : "s");
    };
    std::string rest;
    if (dropped_errors_ > 0) rest = count(dropped_errors_, "error");
    if (dropped_warnings_ > 0) {
      rest += fmt::format("{}{}", rest.empty() ? "" : " and ", count(dropped_warnings_, "warning"));
    }
    out.push_back(Diagnostic{file_, 0, 0,
                             fmt::format("{}: ... and {} (the first {} are shown)", file_, rest,
                                         limits::max_diagnostics_shown),
                             dropped_errors_ == 0});
  }
  diagnostics_.clear();
  seen_.clear();
  sequence_ = 0;
  dropped_errors_ = 0;
  dropped_warnings_ = 0;
  errors_ = 0;
  return out;
}

}  // namespace detail
}  // namespace vdc::scenario
