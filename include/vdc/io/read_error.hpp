#pragma once
/// The error of the readers of vdc::io: a file that cannot be read, a corrupt gzip, a CSV
/// text that breaks RFC 4180. The trace readers and the RVTools import turn it into their
/// own errors (TraceError, ImportError), keeping its problem and place.

#include <stdexcept>
#include <string>

namespace vdc::io {

/// What kind of problem a ReadError is, so a caller can say what it expected in its own words.
enum class ReadProblem {
  open,       ///< the file cannot be opened
  read,       ///< reading the file failed part-way
  too_large,  ///< the file, or what it decompresses to, is above the caller's limit
  gzip,       ///< corrupt or truncated gzip data, or zlib failed
  csv,        ///< a quoted field without its closing quote, or text after one
};

/// Where a read problem is.
struct ReadSite {
  /// The file as the caller named it.
  std::string file;
  /// 1-based line; 0 when the problem concerns the whole file.
  int line = 0;
  /// 1-based field number within the row; 0 when the problem concerns the whole row.
  int field = 0;
};

/// what() is "<file>[:<line>]: error: [field <n>: ]<problem>[ (expected <expected>)]".
class ReadError : public std::runtime_error {
 public:
  ReadError(ReadProblem kind, ReadSite site, const std::string& problem, const std::string& expected);

  [[nodiscard]] ReadProblem kind() const { return kind_; }
  [[nodiscard]] const std::string& file() const { return site_.file; }
  [[nodiscard]] int line() const { return site_.line; }
  [[nodiscard]] int field() const { return site_.field; }
  /// What is wrong, without the place.
  [[nodiscard]] const std::string& problem() const { return problem_; }
  /// What would have been right (may be empty).
  [[nodiscard]] const std::string& expected() const { return expected_; }

 private:
  ReadProblem kind_;
  ReadSite site_;
  std::string problem_;
  std::string expected_;
};

}  // namespace vdc::io
