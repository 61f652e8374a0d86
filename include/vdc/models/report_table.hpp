#pragma once
/// An area's own entities in the reports: the uplinks and flows of the network, the
/// datastores of storage, the physical GPUs, the clusters, the migrations. They are not
/// hosts or VMs, so they are not columns of the host and VM tables (area_report.hpp): an
/// area lists them as ReportTables of its AreaSection, and every writer shows any table
/// without knowing the area: report.json as an array of objects at the table's key
/// ("network.uplinks" is the array `uplinks` of the top-level object `network`), and a CSV
/// file named after the key (network_uplinks.csv).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace vdc::models {

/// What a table column holds, and so how every writer shows its cells.
enum class CellKind {
  text,     ///< a string; null when the cell is empty (std::monostate)
  count,    ///< an integer
  number,   ///< a number, to six decimals
  flag,     ///< true or false
  texts,    ///< a list of strings: a JSON array, `a;b` in CSV
  numbers,  ///< a map of name to number: a JSON object, `a=1;b=2` in CSV
  records,  ///< a list of small objects (name to text, number or null): a JSON array of
            ///< objects, `a=x,b=1;a=y,b=2` in CSV
};

/// A column of a table: its key in each row's object ("a.b" puts b in an object a, as the
/// host and VM columns do), its CSV header and unit.
struct TableColumn {
  std::string_view json;
  std::string_view csv;
  std::string_view unit = {};
  CellKind kind = CellKind::number;
};

/// A field of a record (CellKind::records): null, a number or a text.
using RecordValue = std::variant<std::monostate, double, std::string>;
/// One object of a records cell: its fields in order.
using Record = std::vector<std::pair<std::string, RecordValue>>;

/// One value of a table. std::monostate is null (a text that has none, such as a flow's
/// drop cause when it was delivered).
using TableCell = std::variant<std::monostate, double, bool, std::string, std::vector<std::string>,
                               std::vector<std::pair<std::string, double>>, std::vector<Record>>;

/// Where the writers put a table's rows.
enum class TablePlace {
  top,     ///< report.json at `key`; its CSV file
  per_vm,  ///< report.json: in each VM's area object, at `key`, the array of the rows whose
           ///< first column (a text) names the VM, without that column; its CSV file whole
  internal ///< no writer shows it: figures the area keeps for its own `fill`
};

/// A table an area reports: where it goes and its columns (a constant of the area's
/// description, AreaReportSpec::tables).
struct TableSpec {
  /// Where it goes in report.json: "gpus" (a top-level array) or "network.uplinks" (an
  /// array in a top-level object; tables that share the first part share the object).
  std::string_view key;
  std::string_view csv;  ///< its CSV file: "network_uplinks.csv" (empty for an internal table)
  std::span<const TableColumn> columns;
  TablePlace place = TablePlace::top;
};

/// The rows of one of an area's tables after a run: cells row-major, one per column.
struct ReportTable {
  const TableSpec* spec = nullptr;
  std::vector<TableCell> cells;

  [[nodiscard]] std::size_t rows() const {
    return spec == nullptr || spec->columns.empty() ? 0 : cells.size() / spec->columns.size();
  }
  [[nodiscard]] std::span<const TableCell> row(std::size_t r) const {
    const std::size_t n = spec->columns.size();
    return std::span<const TableCell>(cells).subspan(r * n, n);
  }
  /// Appends a cell: a row is its columns' cells in order. (Built in place: moving a
  /// variant of vectors makes GCC 12 warn of uninitialised members, falsely.)
  template <typename T>
  void add(T&& value) {
    cells.emplace_back(std::forward<T>(value));
  }
};

/// A cell's text; empty when it holds none (null, or another kind).
[[nodiscard]] inline const std::string& cell_text(const TableCell& c) {
  static const std::string none;
  const auto* s = std::get_if<std::string>(&c);
  return s != nullptr ? *s : none;
}

/// A cell's number; 0 when it holds none.
[[nodiscard]] inline double cell_number(const TableCell& c) {
  const auto* d = std::get_if<double>(&c);
  return d != nullptr ? *d : 0.0;
}

}  // namespace vdc::models
