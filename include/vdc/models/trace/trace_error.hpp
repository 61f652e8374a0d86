#pragma once
/// The error of the trace readers: a trace file that cannot be read or does not follow its
/// format (docs/traces.md "Errors"). Users cause these, so they are exceptions with exact
/// messages (docs/architecture.md, "Errors users can cause are exceptions").

#include <stdexcept>
#include <string>

namespace vdc::models::trace {

/// Where a trace problem is and what was expected there.
struct TraceErrorSite {
  /// The file as the scenario named it (after `{i}` substitution).
  std::string file;
  /// 1-based line of the offending row; 0 when the problem concerns the whole file.
  int line = 0;
  /// 1-based field number within the row; 0 when the problem concerns the whole row.
  int field = 0;
  /// Header name of that field, when the file has a header.
  std::string column;
};

/// A malformed, truncated, empty or unreadable trace, or a missing column. what() is
/// "<file>[:<line>]: error: [field <n> '<column>': ]<problem> (expected <expected>)".
class TraceError : public std::runtime_error {
 public:
  /// `problem` says what is wrong; `expected` what would have been right (may be empty).
  TraceError(TraceErrorSite site, const std::string& problem, const std::string& expected);

  /// The file, as given to the reader.
  [[nodiscard]] const std::string& file() const { return site_.file; }
  /// 1-based line, 0 for a whole-file problem.
  [[nodiscard]] int line() const { return site_.line; }
  /// 1-based field number, 0 for a whole-row or whole-file problem.
  [[nodiscard]] int field() const { return site_.field; }
  /// Header name of the field (empty when unknown).
  [[nodiscard]] const std::string& column() const { return site_.column; }
  /// What is wrong, without the place.
  [[nodiscard]] const std::string& problem() const { return problem_; }
  /// What was expected instead (may be empty).
  [[nodiscard]] const std::string& expected() const { return expected_; }

 private:
  TraceErrorSite site_;
  std::string problem_;
  std::string expected_;
};

}  // namespace vdc::models::trace
