#include <iostream>

#include "commands.hpp"
#include "vdc/import/rvtools.hpp"

namespace vdc::cli {

int import_rvtools(const std::string& input, const std::string& output) {
  return import::import_rvtools_command(input, output, std::cout, std::cerr);
}

}  // namespace vdc::cli
