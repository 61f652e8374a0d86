#include <iostream>

#include "commands.hpp"
#include "import_check.hpp"
#include "vdc/import/rvtools.hpp"

namespace vdc::cli {

int import_rvtools(const ImportArgs& args) {
  import::ImportCommandOptions options;
  options.force = args.force;
  options.import.shape =
      args.workload == "diurnal" ? import::WorkloadShape::diurnal : import::WorkloadShape::constant;
  import::ImportResult result;
  const int status = import::import_rvtools_command(args.input, args.output, options, std::cout,
                                                    std::cerr, &result);
  if (status != kExitOk || !args.check) return status;
  return check_import(result, args.output, std::cout, std::cerr);
}

}  // namespace vdc::cli
