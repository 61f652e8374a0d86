// Reads the tabs of an .xlsx (Office Open XML SpreadsheetML, ECMA-376 Part 1 §18) with
// libzip and pugixml: xl/workbook.xml lists the tabs, xl/_rels/workbook.xml.rels maps each
// to its sheet part, xl/sharedStrings.xml holds the strings cells refer to by index.
#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <pugixml.hpp>
#include <zip.h>

#include "vdc/import/workbook.hpp"
#include "vdc/io/text.hpp"

namespace vdc::import {
namespace {

/// Largest part read from the archive (256 MiB uncompressed): a bigger one is an error, not
/// an allocation that takes the machine down.
constexpr zip_uint64_t max_part_bytes = zip_uint64_t{256} << 20;
/// Columns of a worksheet (A .. XFD).
constexpr int max_columns = 16384;

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using Archive = std::unique_ptr<zip_t, ZipCloser>;

ImportError file_error(const std::string& file, const std::string& problem,
                       const std::string& expected) {
  return ImportError({file, {}, 0, {}}, problem, expected);
}

/// The part `name` of the archive, or nothing when it does not exist.
std::optional<std::string> read_part(zip_t* zip, const std::string& name, const std::string& file) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(zip, name.c_str(), 0, &st) != 0) return std::nullopt;
  if ((st.valid & ZIP_STAT_SIZE) == 0 || st.size > max_part_bytes) {
    throw file_error(file, fmt::format("part {} is larger than 256 MiB", name),
                     "an RVTools export");
  }
  const std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> part(zip_fopen(zip, name.c_str(), 0),
                                                               zip_fclose);
  if (!part) {
    throw file_error(file, fmt::format("cannot open part {}: {}", name, zip_strerror(zip)),
                     "a readable xlsx");
  }
  std::string data(static_cast<std::size_t>(st.size), '\0');
  zip_uint64_t done = 0;
  while (done < st.size) {
    const zip_int64_t n = zip_fread(part.get(), data.data() + done, st.size - done);
    if (n <= 0) {
      throw file_error(file,
                       fmt::format("cannot read part {}: {}", name, zip_file_strerror(part.get())),
                       "a readable xlsx");
    }
    done += static_cast<zip_uint64_t>(n);
  }
  return data;
}

pugi::xml_document parse_xml(const std::string& data, const std::string& part,
                             const std::string& file) {
  pugi::xml_document doc;
  const pugi::xml_parse_result r =
      doc.load_buffer(data.data(), data.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (!r) {
    throw file_error(
        file,
        fmt::format("part {} is not valid XML: {} at byte {}", part, r.description(), r.offset),
        "an xlsx written by RVTools or a spreadsheet program");
  }
  return doc;
}

/// Element children named `name` regardless of namespace prefix ("x:row" and "row" alike).
bool named(const pugi::xml_node& n, std::string_view name) {
  const std::string_view full = n.name();
  const std::size_t colon = full.find(':');
  return (colon == std::string_view::npos ? full : full.substr(colon + 1)) == name;
}

template <typename F>
void for_children(const pugi::xml_node& parent, std::string_view name, F&& f) {
  for (const pugi::xml_node child : parent.children()) {
    if (named(child, name)) f(child);
  }
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view name) {
  for (const pugi::xml_node c : parent.children()) {
    if (named(c, name)) return c;
  }
  return {};
}

/// Text of a string item (<si> or <is>): its <t>, or its rich-text runs' <t> joined;
/// phonetic runs (<rPh>) are not part of the value.
std::string string_item(const pugi::xml_node& item) {
  if (const auto t = child(item, "t")) return t.text().get();
  std::string text;
  for_children(item, "r", [&](const pugi::xml_node& run) { text += child(run, "t").text().get(); });
  return text;
}

/// Zero-based column of a cell reference such as "AB12", or -1 when it has no letters.
int column_of(std::string_view ref) {
  int col = 0;
  std::size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
    col = col * 26 + (ref[i] - 'A' + 1);
    if (col > max_columns) return -1;
  }
  return i == 0 ? -1 : col - 1;
}

/// Path inside the archive of a relationship target of xl/workbook.xml.
std::string part_path(std::string_view target) {
  if (target.starts_with('/')) return std::string(target.substr(1));
  return "xl/" + std::string(target);
}

Sheet read_sheet(const pugi::xml_document& doc, const std::vector<std::string>& shared,
                 std::string tab, const std::string& file) {
  Sheet sheet{std::move(tab), file, {}, {}};
  const pugi::xml_node data = child(child(doc, "worksheet"), "sheetData");
  int next_row = 1;
  bool have_header = false;
  for_children(data, "row", [&](const pugi::xml_node& row) {
    const int number = row.attribute("r").as_int(next_row);
    next_row = number + 1;
    std::vector<std::string> cells;
    int next_col = 0;
    for_children(row, "c", [&](const pugi::xml_node& c) {
      const int parsed = column_of(c.attribute("r").as_string());
      const int col = parsed >= 0 ? parsed : next_col;
      next_col = col + 1;
      if (col >= max_columns) return;
      const std::string_view type = c.attribute("t").as_string();
      std::string value;
      if (type == "s") {
        const std::string_view index_text = child(c, "v").text().get();
        std::size_t index = 0;
        const auto [end, ec] =
            std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
        if (ec != std::errc{} || end != index_text.data() + index_text.size() ||
            index >= shared.size()) {
          throw ImportError({file, sheet.name, number, {}},
                            fmt::format("cell {} refers to shared string '{}' of {}",
                                        c.attribute("r").as_string(), index_text, shared.size()),
                            "an index into xl/sharedStrings.xml");
        }
        value = shared[index];
      } else if (type == "inlineStr") {
        value = string_item(child(c, "is"));
      } else if (type == "b") {
        value = std::string_view(child(c, "v").text().get()) == "1" ? "True" : "False";
      } else {
        value = child(c, "v").text().get();
      }
      if (value.empty()) return;
      if (cells.size() <= static_cast<std::size_t>(col))
        cells.resize(static_cast<std::size_t>(col) + 1);
      cells[static_cast<std::size_t>(col)] = std::move(value);
    });
    const bool blank = std::all_of(cells.begin(), cells.end(), [](const std::string& s) {
      return io::trim(s).empty();
    });
    if (blank) return;
    if (!have_header) {
      have_header = true;
      for (const auto& h : cells) sheet.header.emplace_back(io::trim(h));
      return;
    }
    cells.resize(sheet.header.size());  // cells right of the header name no column
    sheet.rows.push_back(SheetRow{number, std::move(cells)});
  });
  return sheet;
}

}  // namespace

Workbook read_xlsx(const std::filesystem::path& path, std::span<const std::string_view> tabs) {
  const std::string file = path.string();
  int error = 0;
  Archive zip(zip_open(file.c_str(), ZIP_RDONLY, &error));
  if (!zip) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, error);
    const std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    throw file_error(file, fmt::format("cannot open the workbook: {}", why),
                     "an .xlsx file (a zip archive)");
  }
  const auto workbook_xml = read_part(zip.get(), "xl/workbook.xml", file);
  const auto rels_xml = read_part(zip.get(), "xl/_rels/workbook.xml.rels", file);
  if (!workbook_xml || !rels_xml) {
    throw file_error(file, "no xl/workbook.xml or xl/_rels/workbook.xml.rels in the archive",
                     "an .xlsx workbook");
  }
  const pugi::xml_document workbook = parse_xml(*workbook_xml, "xl/workbook.xml", file);
  const pugi::xml_document rels = parse_xml(*rels_xml, "xl/_rels/workbook.xml.rels", file);

  std::map<std::string, std::string> targets;
  std::string shared_part = "xl/sharedStrings.xml";
  for_children(child(rels, "Relationships"), "Relationship", [&](const pugi::xml_node& r) {
    const std::string_view type = r.attribute("Type").as_string();
    targets[r.attribute("Id").as_string()] = part_path(r.attribute("Target").as_string());
    if (type.ends_with("/sharedStrings"))
      shared_part = part_path(r.attribute("Target").as_string());
  });

  std::vector<std::string> shared;
  if (const auto sst_xml = read_part(zip.get(), shared_part, file)) {
    const pugi::xml_document sst = parse_xml(*sst_xml, shared_part, file);
    for_children(child(sst, "sst"), "si",
                 [&](const pugi::xml_node& si) { shared.push_back(string_item(si)); });
  }

  Workbook book{file, "xlsx", {}, {}};
  for_children(child(child(workbook, "workbook"), "sheets"), "sheet", [&](const pugi::xml_node& s) {
    const std::string name = s.attribute("name").as_string();
    book.tab_names.push_back(name);
    const bool wanted = std::any_of(tabs.begin(), tabs.end(), [&](std::string_view t) {
      return io::iequals(t, name);
    });
    if (!wanted) return;
    // The relationship id attribute is r:id in the officeDocument relationships namespace.
    std::string id;
    for (const pugi::xml_attribute a : s.attributes()) {
      const std::string_view an = a.name();
      if (an == "r:id" || an.ends_with(":id")) id = a.value();
    }
    const auto target = targets.find(id);
    if (target == targets.end()) {
      throw file_error(file, fmt::format("tab {} has no sheet part (relationship '{}')", name, id),
                       "every tab of xl/workbook.xml listed in its relationships");
    }
    const auto sheet_xml = read_part(zip.get(), target->second, file);
    if (!sheet_xml) {
      throw file_error(file, fmt::format("tab {}: part {} is missing", name, target->second),
                       "a complete xlsx");
    }
    book.sheets.push_back(
        read_sheet(parse_xml(*sheet_xml, target->second, file), shared, name, file));
  });
  return book;
}

}  // namespace vdc::import
