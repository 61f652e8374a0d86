#include <stdexcept>

#include "vdc/import/rvtools.hpp"
#include "vdc/report/writers.hpp"

namespace vdc::import {

int import_rvtools_command(const std::filesystem::path& input, const std::filesystem::path& output,
                           std::ostream& summary_out, std::ostream& err) {
  ImportResult result;
  try {
    result = import_rvtools(input);
  } catch (const ImportError& e) {
    err << "error: " << e.what() << '\n';
    return 2;
  }
  try {
    report::write_file_atomically(output, to_scenario_yaml(result));
  } catch (const std::runtime_error& e) {
    err << "error: " << e.what() << '\n';
    return 1;
  }
  summary_out << import_summary(result) << "\nWrote " << output.string() << '\n';
  return 0;
}

}  // namespace vdc::import
