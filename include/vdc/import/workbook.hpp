#pragma once
/// The tabs of an RVTools export as tables of text: read from the .xlsx itself (libzip +
/// pugixml) or from a folder of one CSV per tab (docs/traces.md "RVTools import").

#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vdc::import {

/// Where an import problem is: the file, the tab, the row and the column.
struct ImportErrorSite {
  /// The .xlsx, or the tab's .csv file, or the folder.
  std::string file;
  /// Tab name ("vInfo"); empty for a problem with the file itself.
  std::string sheet;
  /// 1-based row of the sheet (xlsx) or line of the CSV file; 0 for the whole tab or file.
  int row = 0;
  /// Header name of the column; empty for a whole-row problem.
  std::string column;
};

/// An RVTools export that cannot be read or imported. what() is
/// "<file>: [sheet <tab>[, row <n>][, column '<name>']: ]<problem> (expected <expected>)".
class ImportError : public std::runtime_error {
 public:
  /// `problem` says what is wrong; `expected` what would be right (may be empty).
  ImportError(ImportErrorSite site, const std::string& problem, const std::string& expected);

  /// The place of the problem.
  [[nodiscard]] const ImportErrorSite& site() const { return site_; }

 private:
  ImportErrorSite site_;
};

/// One data row of a tab: its row number (xlsx) or line (CSV), and one cell per header column.
struct SheetRow {
  /// 1-based row or line number, for messages.
  int number = 0;
  /// Cell texts, one per header column (empty when the cell is empty).
  std::vector<std::string> cells;
};

/// One tab: the header row and the data rows (rows whose cells are all empty are dropped).
struct Sheet {
  /// Tab name as RVTools writes it ("vInfo", "vHost", ...).
  std::string name;
  /// The file it was read from: the .xlsx, or the tab's .csv.
  std::string file;
  /// Header names, trimmed of surrounding spaces.
  std::vector<std::string> header;
  /// Data rows in file order.
  std::vector<SheetRow> rows;
};

/// The tabs read from one export.
struct Workbook {
  /// The .xlsx or folder as given.
  std::string source;
  /// "xlsx" or "CSV folder".
  std::string kind;
  /// Every tab the export has, in its order (read or not).
  std::vector<std::string> tab_names;
  /// The tabs read.
  std::vector<Sheet> sheets;

  /// The tab named `name` (case-insensitive) among those read, or nullptr.
  [[nodiscard]] const Sheet* find(std::string_view name) const;
};

/// Reads the tabs named in `tabs` (those present) from the .xlsx at `path`: workbook.xml
/// and its relationships map tab names to sheet parts; cells may be shared strings, inline
/// strings, numbers or booleans. Throws ImportError when the file is not a readable xlsx.
[[nodiscard]] Workbook read_xlsx(const std::filesystem::path& path,
                                 std::span<const std::string_view> tabs);

/// Reads the tabs named in `tabs` from a folder of RVTools CSV files, one per tab, named
/// "<anything>_tab<tab>.csv" or "tab<tab>.csv" (RVTools' own export names them
/// RVTools_tabvInfo.csv, ...). Throws ImportError for an unreadable folder, two files for
/// one tab, or malformed CSV.
[[nodiscard]] Workbook read_csv_folder(const std::filesystem::path& folder,
                                       std::span<const std::string_view> tabs);

/// Parses one tab's CSV text (delimiter detected from the header: ',' ';' or tab), naming
/// it `tab` and `file` in errors. Throws ImportError on malformed CSV.
[[nodiscard]] Sheet parse_csv_sheet(std::string_view text, std::string tab, std::string file);

}  // namespace vdc::import
