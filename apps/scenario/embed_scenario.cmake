# Writes OUTPUT, a C++ source returning the text of INPUT (the bundled default scenario) as
# a raw string literal. Run at build time (cmake -P), so the library follows edits of INPUT.
file(READ "${INPUT}" text)
set(delimiter "vdcsim_yaml")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )${delimiter}\"")
endif()
get_filename_component(file_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}"
"// Generated from ${file_name} by embed_scenario.cmake; edit the YAML, not this file.
#include \"vdc/scenario/loader.hpp\"

namespace vdc::scenario {

std::string_view default_scenario_yaml() {
  return R\"${delimiter}(${text})${delimiter}\";
}

std::string_view default_scenario_name() { return \"<builtin:${file_name}>\"; }

}  // namespace vdc::scenario
")
