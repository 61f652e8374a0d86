# Writes OUTPUT, a C++ source holding the text of every GPU board file (INPUTS, a list
# separated by '|') as raw string literals, so a run never reads data/gpu/ from the current
# directory. Run at build time (cmake -P), so the library follows edits of the files.
string(REPLACE "|" ";" inputs "${INPUTS}")
set(delimiter "vdcsim_gpu")
set(entries "")
foreach(input IN LISTS inputs)
  file(READ "${input}" text)
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${input} contains the raw-string delimiter )${delimiter}\"")
  endif()
  get_filename_component(file_name "${input}" NAME)
  string(APPEND entries "    {\"data/gpu/${file_name}\", R\"${delimiter}(${text})${delimiter}\"},\n")
endforeach()
file(WRITE "${OUTPUT}"
"// Generated from data/gpu/*.txt by models/gpu/embed_boards.cmake; edit the data files, not this file.
#include \"vdc/models/gpu/boards.hpp\"

namespace vdc::models::gpu {

std::span<const BoardFile> board_files() {
  static constexpr BoardFile files[] = {
${entries}  };
  return files;
}

}  // namespace vdc::models::gpu
")
