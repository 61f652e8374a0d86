#pragma once
/// Collects the diagnostics of one scenario file (internal to the loader).

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "vdc/scenario/diagnostic.hpp"

namespace vdc::scenario::detail {

/// A place in the scenario file, 1-based.
struct Position {
  int line = 1;
  int column = 1;
};

/// Where the loader reports problems. Identical diagnostics are kept once: a profile used by
/// forty VMs reports its own mistakes once, not forty times. Only the first
/// limits::max_diagnostics_shown (in file order) are kept; the others are counted, so that a
/// file with an error on every line costs neither the memory nor the time of keeping them.
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
  /// The first limits::max_diagnostics_shown diagnostics so far, sorted by position
  /// (stable), then, when there were more, a line that counts the others ("<file>: ... and
  /// 12 more errors and 3 more warnings", line and column 0); leaves the sink empty.
  [[nodiscard]] std::vector<Diagnostic> take();

 private:
  /// A kept diagnostic and its place in the order of reporting.
  struct Kept {
    Diagnostic diagnostic;
    std::size_t sequence = 0;
  };

  void add(Position at, std::string message, bool is_warning);
  /// Keeps the first limits::max_diagnostics_shown of diagnostics_ by position, counting
  /// the others.
  void trim();

  std::string file_;
  std::vector<Kept> diagnostics_;
  /// Hashes of every message so far, to keep identical ones once.
  std::unordered_set<std::size_t> seen_;
  std::size_t sequence_ = 0;
  std::size_t dropped_errors_ = 0;
  std::size_t dropped_warnings_ = 0;
  std::size_t errors_ = 0;
};

}  // namespace vdc::scenario::detail
