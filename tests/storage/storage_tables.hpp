#pragma once
// Reading the storage area's report tables in tests: a table of a run, a cell by column.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <variant>

#include "vdc/models/run_result.hpp"
#include "vdc/models/storage/storage_area.hpp"

namespace vdc::models::storage::tables {

inline const ReportTable& table(const RunResult& r, Table t) {
  const auto it = std::find_if(r.tables.begin(), r.tables.end(), [&](const ReportTable& x) { return x.spec == &table_spec(t); });
  REQUIRE(it != r.tables.end());
  return *it;
}

inline std::size_t column(const ReportTable& t, std::string_view name) {
  for (std::size_t c = 0; c < t.spec->columns.size(); ++c) {
    if (t.spec->columns[c].json == name) return c;
  }
  FAIL("no column " << name);
  return 0;
}

/// The text of a cell; empty when it holds none.
inline std::string text(const ReportTable& t, std::size_t row, std::string_view name) {
  return cell_text(t.row(row)[column(t, name)]);
}

/// The number of a cell, which must hold one.
inline double number(const ReportTable& t, std::size_t row, std::string_view name) {
  const auto* d = std::get_if<double>(&t.row(row)[column(t, name)]);
  REQUIRE(d != nullptr);
  return *d;
}

}  // namespace vdc::models::storage::tables
