#pragma once
// Entry point of the RVTools CSV import fuzz target, shared by the libFuzzer executable and
// the corpus replay test. The input is a vHost CSV and a vInfo CSV separated by a form feed
// ('\f'; without one, the whole input is vInfo beside a one-host vHost). An ImportError is
// an accepted outcome; any import that succeeds must give YAML the scenario loader accepts.

#include <cstdlib>
#include <string>
#include <string_view>

#include "vdc/import/rvtools.hpp"
#include "vdc/scenario/loader.hpp"

namespace vdc::fuzz {

inline void fuzz_import_rvtools_csv(std::string_view data) {
  const std::size_t split = data.find('\f');
  const std::string_view hosts =
      split == std::string_view::npos
          ? std::string_view(
                "Host,Cluster,Speed,# CPU,Cores per CPU,# Memory\nh1,C,2000,2,8,65536\n")
          : data.substr(0, split);
  const std::string_view vms = split == std::string_view::npos ? data : data.substr(split + 1);
  try {
    import::Workbook book{"fuzz", "CSV folder", {"vHost", "vInfo"}, {}};
    book.sheets.push_back(import::parse_csv_sheet(hosts, "vHost", "fuzz_tabvHost.csv"));
    book.sheets.push_back(import::parse_csv_sheet(vms, "vInfo", "fuzz_tabvInfo.csv"));
    const import::ImportResult result = import::import_workbook(book);
    static_cast<void>(import::import_summary(result));
    const scenario::LoadResult loaded =
        scenario::load_string(import::to_scenario_yaml(result), "fuzz.yaml");
    if (!loaded.ok()) std::abort();
  } catch (const import::ImportError&) {
  }
}

}  // namespace vdc::fuzz
