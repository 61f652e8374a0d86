#include <stdexcept>

#include "vdc/import/rvtools.hpp"
#include "vdc/io/file.hpp"

namespace vdc::import {

int import_rvtools_command(const std::filesystem::path& input, const std::filesystem::path& output,
                           const ImportCommandOptions& options, std::ostream& summary_out,
                           std::ostream& err, ImportResult* result_out) {
  std::error_code ec;
  if (!options.force && std::filesystem::exists(std::filesystem::symlink_status(output, ec))) {
    err << "error: " << output.string()
        << " exists (nothing written; pass --force to overwrite it, or choose another -o file)\n";
    return 2;
  }
  ImportResult result;
  try {
    result = import_rvtools(input, options.import);
  } catch (const ImportError& e) {
    err << "error: " << e.what() << '\n';
    return 2;
  }
  try {
    io::write_file_atomically(output, to_scenario_yaml(result));
  } catch (const std::runtime_error& e) {
    err << "error: " << e.what() << '\n';
    return 1;
  }
  summary_out << import_summary(result) << "\nWrote " << output.string() << '\n';
  if (result_out != nullptr) *result_out = std::move(result);
  return 0;
}

}  // namespace vdc::import
