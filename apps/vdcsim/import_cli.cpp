#include <iostream>

#include "commands.hpp"
#include "vdc/import/rvtools.hpp"

namespace vdc::cli {

int import_rvtools(const ImportArgs& args) {
  return import::import_rvtools_command(args.input, args.output, std::cout, std::cerr);
}

}  // namespace vdc::cli
