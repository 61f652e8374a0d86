#include "vdc/io/file.hpp"
#include "vdc/report/writers.hpp"

namespace vdc::report {

// The report writers' name for vdc::io's atomic write (temporary file, fsync, rename).
void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  io::write_file_atomically(path, content);
}

}  // namespace vdc::report
