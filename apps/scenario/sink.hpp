#pragma once
/// Collects the diagnostics of one scenario file (internal to the loader).

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vdc/scenario/diagnostic.hpp"

namespace vdc::scenario::detail {

/// A place in the scenario file, 1-based.
struct Position {
  int line = 1;
  int column = 1;
};

/// Where the loader reports problems. Identical diagnostics are kept once: a profile used by
/// forty VMs reports its own mistakes once, not forty times.
class Sink {
 public:
  /// Diagnostics will name `file`.
  explicit Sink(std::string file);

  /// Records "<file>:<l>:<c>: error: <what> (<expected>)[; did you mean '<suggestion>'?]";
  /// the parenthesis is left out when `expected` is empty (`what` then says it already).
  void error(Position at, std::string_view what, std::string_view expected,
             std::string_view suggestion = {});
  /// Records "<file>:<l>:<c>: warning: <what>".
  void warning(Position at, std::string_view what);

  /// True once any error was recorded.
  [[nodiscard]] bool has_errors() const { return errors_ > 0; }
  /// The file name diagnostics carry.
  [[nodiscard]] const std::string& file() const { return file_; }
  /// All diagnostics so far, sorted by position (stable), leaving the sink empty.
  [[nodiscard]] std::vector<Diagnostic> take();

 private:
  void add(Position at, std::string message, bool is_warning);

  std::string file_;
  std::vector<Diagnostic> diagnostics_;
  std::set<std::string> seen_;
  int errors_ = 0;
};

}  // namespace vdc::scenario::detail
