#pragma once
/// What the scenario loader reports: one diagnostic per problem, with its place in the file
/// (docs/scenario.md "Errors"). Errors make a scenario invalid; warnings do not.

#include <string>

namespace vdc::scenario {

/// One problem found in a scenario file.
struct Diagnostic {
  /// The file as the user named it (or the display name given to load_string).
  std::string file;
  /// 1-based line of the offending key or value; 0 on the closing line that counts the
  /// diagnostics not shown ("<file>: ... and 12 more errors (the first 50 are shown)").
  int line = 1;
  /// 1-based column of the offending key or value; 0 on the closing count line.
  int column = 1;
  /// The whole line to show the user:
  /// "<file>:<line>:<column>: error: <what is wrong> (<what was expected>)[; did you mean '<name>'?]"
  /// ("warning:" instead of "error:" for a warning).
  std::string message;
  /// True for a warning (the scenario stays valid), false for an error.
  bool is_warning = false;

  /// The text to print for this diagnostic: `message`, which is already complete.
  [[nodiscard]] std::string format() const;
};

}  // namespace vdc::scenario
