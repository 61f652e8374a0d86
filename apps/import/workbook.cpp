#include "vdc/import/workbook.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "vdc/io/csv.hpp"
#include "vdc/io/file.hpp"
#include "vdc/io/read_error.hpp"
#include "vdc/io/text.hpp"

namespace vdc::import {
namespace {

std::string format_message(const ImportErrorSite& site, const std::string& problem,
                           const std::string& expected) {
  std::string text = site.file + ": ";
  if (!site.sheet.empty()) {
    text += "sheet " + site.sheet;
    if (site.row > 0) text += fmt::format(", row {}", site.row);
    if (!site.column.empty()) text += fmt::format(", column '{}'", site.column);
    text += ": ";
  }
  text += problem;
  if (!expected.empty()) text += fmt::format(" (expected {})", expected);
  return text;
}

/// The tab a CSV file holds, from its name: "<x>_tab<tab>.csv" or "tab<tab>.csv"; empty if neither.
std::string tab_of(const std::string& filename) {
  if (filename.size() < 4 || !io::iequals(filename.substr(filename.size() - 4), ".csv"))
    return {};
  const std::string stem = filename.substr(0, filename.size() - 4);
  const std::size_t marker = stem.rfind("_tab");
  if (marker != std::string::npos) return stem.substr(marker + 4);
  if (stem.starts_with("tab")) return stem.substr(3);
  return {};
}

}  // namespace

ImportError::ImportError(ImportErrorSite site, const std::string& problem,
                         const std::string& expected)
    : std::runtime_error(format_message(site, problem, expected)), site_(std::move(site)) {}

const Sheet* Workbook::find(std::string_view name) const {
  for (const Sheet& s : sheets) {
    if (io::iequals(s.name, name)) return &s;
  }
  return nullptr;
}

Sheet parse_csv_sheet(std::string_view text, std::string tab, std::string file) {
  Sheet sheet{std::move(tab), std::move(file), {}, {}};
  try {
    io::CsvReader reader(text, sheet.file, io::detect_delimiter(text));
    std::vector<std::string> fields;
    if (!reader.next_row(fields)) return sheet;
    for (const auto& f : fields) sheet.header.emplace_back(io::trim(f));
    while (reader.next_row(fields)) {
      const bool blank = std::all_of(fields.begin(), fields.end(), [](const std::string& f) {
        return io::trim(f).empty();
      });
      if (blank) continue;
      if (fields.size() > sheet.header.size()) {
        throw ImportError({sheet.file, sheet.name, reader.line(), {}},
                          fmt::format("the row has {} fields", fields.size()),
                          fmt::format("at most {} fields like the header", sheet.header.size()));
      }
      fields.resize(sheet.header.size());
      sheet.rows.push_back(SheetRow{reader.line(), fields});
    }
  } catch (const io::ReadError& e) {
    const std::string column =
        e.field() > 0 && static_cast<std::size_t>(e.field()) <= sheet.header.size()
            ? sheet.header[static_cast<std::size_t>(e.field() - 1)]
            : std::string{};
    throw ImportError({sheet.file, sheet.name, e.line(), column}, e.problem(), e.expected());
  }
  return sheet;
}

Workbook read_csv_folder(const std::filesystem::path& folder,
                         std::span<const std::string_view> tabs) {
  Workbook book{folder.string(), "CSV folder", {}, {}};
  std::map<std::string, std::filesystem::path> files;  // sorted: a stable tab order
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string tab = tab_of(entry.path().filename().string());
    if (tab.empty() || !entry.is_regular_file()) continue;
    const auto [it, fresh] = files.emplace(tab, entry.path());
    if (!fresh) {
      throw ImportError(
          {folder.string(), {}, 0, {}},
          fmt::format("two files hold tab {}: {} and {}", tab, it->second.filename().string(),
                      entry.path().filename().string()),
          "one CSV file per tab");
    }
  }
  if (ec) {
    throw ImportError({folder.string(), {}, 0, {}},
                      fmt::format("cannot read the folder: {}", ec.message()),
                      "a folder of RVTools CSV files");
  }
  for (const auto& entry : files) {
    const std::string& tab = entry.first;
    const std::filesystem::path& path = entry.second;
    book.tab_names.push_back(tab);
    const bool wanted = std::any_of(tabs.begin(), tabs.end(), [&](std::string_view t) {
      return io::iequals(t, tab);
    });
    if (!wanted) continue;
    std::string text;
    try {
      text = io::read_file(path.string());
    } catch (const io::ReadError&) {
      throw ImportError({path.string(), tab, 0, {}}, "cannot read the file", "a readable CSV file");
    }
    book.sheets.push_back(parse_csv_sheet(text, tab, path.string()));
  }
  return book;
}

}  // namespace vdc::import
