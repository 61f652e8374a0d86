#pragma once
/// A small RFC 4180 reader shared by the csv and azure trace readers and the RVTools CSV
/// import: quoted fields (with "" for a quote and line breaks inside), CRLF or LF rows,
/// a leading UTF-8 byte-order mark skipped, blank lines skipped.

#include <string>
#include <string_view>
#include <vector>

namespace vdc::io {

/// Reads `text` row by row. Throws ReadError (ReadProblem::csv, with file, line and field)
/// on an unterminated quoted field or text after a closing quote.
class CsvReader {
 public:
  /// Reads `text`, named `file` in errors, with fields separated by `delimiter`.
  CsvReader(std::string_view text, std::string file, char delimiter);

  /// Reads the next row that is not blank into `fields` (reusing its strings' storage);
  /// false at the end of the text.
  bool next_row(std::vector<std::string>& fields);
  /// 1-based line on which the row last read starts.
  [[nodiscard]] int line() const { return row_line_; }
  /// The file name given at construction.
  [[nodiscard]] const std::string& file() const { return file_; }

 private:
  std::string_view text_;
  std::string file_;
  char delimiter_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int row_line_ = 0;
};

/// The delimiter of a delimited text, guessed from its first line: whichever of ',', ';'
/// and tab occurs most often outside quotes (',' on a tie or when none occurs).
[[nodiscard]] char detect_delimiter(std::string_view text);

}  // namespace vdc::io
