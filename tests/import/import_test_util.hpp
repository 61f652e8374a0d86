#pragma once
// Helpers of the import tests: RVTools exports written on the fly (a CSV folder, or an
// .xlsx built with libzip), and a tiny CSV reader independent of the one under test.

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <zip.h>

namespace vdc::test {

/// A fresh folder under the system temporary folder, removed when this goes away.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vdc-import-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  /// Writes `content` to `name` and returns the path.
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
    return path_ / name;
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Writes an .xlsx at `path` whose tabs hold `sheets` (tab name -> worksheet XML
/// <sheetData> content) and whose shared strings are `shared`.
inline void write_xlsx(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, std::string>>& sheets,
                       const std::vector<std::string>& shared) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  std::vector<std::string> parts;  // zip_source_buffer keeps pointers until zip_close
  auto add = [&](const std::string& name, std::string content) {
    parts.push_back(std::move(content));
    zip_source_t* src = zip_source_buffer(z, parts.back().data(), parts.back().size(), 0);
    zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE);
  };
  parts.reserve(3 + 2 * sheets.size());
  const std::string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const std::string rns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  std::string workbook =
      "<?xml version=\"1.0\"?><workbook xmlns=\"" + ns + "\" xmlns:r=\"" + rns + "\"><sheets>";
  std::string rels =
      "<?xml version=\"1.0\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    const std::string id = "rId" + std::to_string(i + 1);
    workbook += "<sheet name=\"" + sheets[i].first + "\" sheetId=\"" + std::to_string(i + 1) +
                "\" r:id=\"" + id + "\"/>";
    rels += "<Relationship Id=\"" + id + "\" Type=\"" + rns +
            "/worksheet\" Target=\"worksheets/sheet" + std::to_string(i + 1) + ".xml\"/>";
  }
  rels += "<Relationship Id=\"rIdS\" Type=\"" + rns +
          "/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";
  workbook += "</sheets></workbook>";
  std::string sst = "<?xml version=\"1.0\"?><sst xmlns=\"" + ns + "\">";
  for (const auto& s : shared) sst += "<si><t>" + s + "</t></si>";
  sst += "</sst>";
  add("xl/workbook.xml", workbook);
  add("xl/_rels/workbook.xml.rels", rels);
  add("xl/sharedStrings.xml", sst);
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    add("xl/worksheets/sheet" + std::to_string(i + 1) + ".xml",
        "<?xml version=\"1.0\"?><worksheet xmlns=\"" + ns + "\"><sheetData>" + sheets[i].second +
            "</sheetData></worksheet>");
  }
  zip_close(z);
}

/// Rows of a CSV file as maps from header name to cell: a quote-aware split on ',', enough
/// for the shared RVTools CSV files (no line breaks inside cells).
inline std::vector<std::map<std::string, std::string>> read_csv_rows(
    const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  const auto split = [](const std::string& l) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (const char c : l) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cells.emplace_back();
      } else if (c != '\r') {
        cells.back() += c;
      }
    }
    return cells;
  };
  std::getline(in, line);
  const std::vector<std::string> header = split(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace vdc::test
