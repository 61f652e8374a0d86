// An area's own tables (include/vdc/models/report_table.hpp): report.json writes them at
// their keys, tables sharing a first part share its object, and each becomes a CSV file;
// a VM without the area's resource has no object of the area.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "report_test_support.hpp"
#include "vdc/report/writers.hpp"

using namespace vdc;
using namespace vdc::report::test;

namespace {

constexpr models::TableColumn kLinkColumns[] = {
    {.json = "nic", .csv = "nic", .unit = "", .kind = models::CellKind::text},
    {.json = "speed_mbps", .csv = "speed_mbps", .unit = "Mbps", .kind = models::CellKind::number},
    {.json = "moves", .csv = "moves", .unit = "", .kind = models::CellKind::count},
    {.json = "up", .csv = "up", .unit = "", .kind = models::CellKind::flag},
};
constexpr models::TableColumn kFlowColumns[] = {
    {.json = "vm", .csv = "vm", .unit = "", .kind = models::CellKind::text},
    {.json = "drop_cause", .csv = "drop_cause", .unit = "", .kind = models::CellKind::text},
    {.json = "delivered_to", .csv = "delivered_to", .unit = "", .kind = models::CellKind::texts},
    {.json = "time.by_uplink", .csv = "uplink_time_s", .unit = "s", .kind = models::CellKind::numbers},
};
constexpr models::TableSpec kTables[] = {
    {.key = "lab.links", .csv = "lab_links.csv", .columns = kLinkColumns},
    {.key = "lab.flows", .csv = "lab_flows.csv", .columns = kFlowColumns},
    {.key = "things", .csv = "things.csv", .columns = kLinkColumns},
};

void fill_lab(const models::RunResult& run, models::AreaSection& out) {
  (void)run;
  auto& links = out.tables.at(0);
  links.add(std::string("vmnic0"));
  links.add(25000.0);
  links.add(3.0);
  links.add(true);
  auto& flows = out.tables.at(1);
  flows.add(std::string("vm1"));
  flows.add(std::monostate{});
  flows.add(std::vector<std::string>{"db01", "db02"});
  flows.add(std::vector<std::pair<std::string, double>>{{"vmnic0", 1.5}, {"vmnic1", 2.0}});
  flows.add(std::string("vm, \"2\""));
  flows.add(std::string("forged_transmits"));
  flows.add(std::vector<std::string>{});
  flows.add(std::vector<std::pair<std::string, double>>{});
  out.vm_has = {false};
}

constexpr models::AreaReportSpec kLab{.section = "lab", .fill = fill_lab, .tables = kTables};
constexpr models::AreaSpec kLabArea{.name = "lab", .report = &kLab};

models::RunResult lab_run() {
  auto r = small_run();
  const models::AreaSpec* areas[] = {&models::cpu::area_specs()[0], &kLabArea};
  models::add_report_sections(r, areas);
  return r;
}

}  // namespace

TEST_CASE("an area's tables go into report.json at their keys, with nulls, lists and maps") {
  const auto doc = report::to_json(report::summarize(lab_run()));
  REQUIRE(doc.contains("lab"));
  CHECK(doc["lab"]["links"].size() == 1);
  CHECK(doc["lab"]["links"][0]["nic"] == "vmnic0");
  CHECK(doc["lab"]["links"][0]["speed_mbps"] == 25000.0);
  CHECK(doc["lab"]["links"][0]["moves"] == 3);
  CHECK(doc["lab"]["links"][0]["up"] == true);
  REQUIRE(doc["lab"]["flows"].size() == 2);
  CHECK(doc["lab"]["flows"][0]["drop_cause"].is_null());
  CHECK(doc["lab"]["flows"][0]["delivered_to"] == nlohmann::ordered_json::array({"db01", "db02"}));
  CHECK(doc["lab"]["flows"][0]["time"]["by_uplink"]["vmnic1"] == 2.0);
  CHECK(doc["lab"]["flows"][1]["drop_cause"] == "forged_transmits");
  CHECK(doc["lab"]["flows"][1]["delivered_to"].empty());
  // An empty table is an empty array, not left out.
  CHECK(doc["things"].is_array());
  CHECK(doc["things"].empty());
  // The VM has no resource of the area: no object; its CPU object stays.
  CHECK_FALSE(doc["vms"][0].contains("lab"));
  CHECK(doc["vms"][0].contains("cpu"));
}

TEST_CASE("each table of an area is a CSV file, lists and maps in one quoted cell") {
  const auto dir = std::filesystem::temp_directory_path() / "vdcsim-test-tables";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  report::write_summary_csv(dir, report::summarize(lab_run()));
  const auto read = [&](const char* name) {
    std::ifstream in(dir / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  CHECK(read("lab_links.csv") == "nic,speed_mbps,moves,up\nvmnic0,25000.000000,3,true\n");
  CHECK(read("lab_flows.csv") ==
        "vm,drop_cause,delivered_to,uplink_time_s\n"
        "vm1,,db01;db02,vmnic0=1.500000;vmnic1=2.000000\n"
        "\"vm, \"\"2\"\"\",forged_transmits,,\n");
  CHECK(read("things.csv") == "nic,speed_mbps,moves,up\n");
  std::filesystem::remove_all(dir);
}

namespace {

constexpr models::ReportColumn kTextyColumns[] = {
    {"profile", "texty_profile", "", models::ValueKind::text},
    {"share_pct", "texty_share_pct", "%", models::ValueKind::number},
};

void fill_texty(const models::RunResult& run, models::AreaSection& out) {
  (void)run;
  out.vm_text.at(0) = "A100-3-20C, \"x\"";
  out.vms.at(1) = 12.5;
}

constexpr models::AreaReportSpec kTexty{.section = "texty", .vm_columns = kTextyColumns, .fill = fill_texty};
constexpr models::AreaSpec kTextyArea{.name = "texty", .report = &kTexty};

}  // namespace

TEST_CASE("a VM column of text is a string in report.json and a quoted cell in vms.csv; empty is null") {
  auto r = small_run();
  const models::AreaSpec* areas[] = {&kTextyArea};
  models::add_report_sections(r, areas);
  const auto summary = report::summarize(r);
  const auto doc = report::to_json(summary);
  CHECK(doc["vms"][0]["texty"]["profile"] == "A100-3-20C, \"x\"");
  CHECK(doc["vms"][0]["texty"]["share_pct"] == 12.5);
  // The same area with the text left empty: null.
  r.sections[0].vm_text.at(0).clear();
  CHECK(report::to_json(report::summarize(r))["vms"][0]["texty"]["profile"].is_null());
  const auto dir = std::filesystem::temp_directory_path() / "vdcsim-test-texty";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  report::write_summary_csv(dir, summary);
  std::ifstream in(dir / "vms.csv");
  std::stringstream csv;
  csv << in.rdbuf();
  CHECK(csv.str().find(",\"A100-3-20C, \"\"x\"\"\",12.500000\n") != std::string::npos);
  std::filesystem::remove_all(dir);
}
