#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "vdc/io/file.hpp"
#include "vdc/io/read_error.hpp"

namespace vdc::io {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

ReadError file_error(ReadProblem kind, const std::string& file, const std::string& problem,
                     const std::string& expected) {
  return ReadError(kind, {file, 0, 0}, problem, expected);
}

}  // namespace

std::string size_text(std::size_t bytes) {
  constexpr std::size_t kib = 1024;
  if (bytes > 0 && bytes % (kib * kib * kib) == 0) return fmt::format("{} GiB", bytes / (kib * kib * kib));
  if (bytes > 0 && bytes % (kib * kib) == 0) return fmt::format("{} MiB", bytes / (kib * kib));
  if (bytes > 0 && bytes % kib == 0) return fmt::format("{} KiB", bytes / kib);
  return fmt::format("{} bytes", bytes);
}

std::string read_file(const std::string& path, std::size_t max_bytes) {
  const std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    throw file_error(ReadProblem::open, path, fmt::format("cannot open the file: {}", std::strerror(errno)),
                     "a readable file");
  }
  std::string data;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f.get())) > 0) {
    data.append(buffer, n);
    if (data.size() > max_bytes) {
      throw file_error(ReadProblem::too_large, path, fmt::format("the file is larger than {}", size_text(max_bytes)),
                       "a smaller file");
    }
  }
  if (std::ferror(f.get()) != 0) {
    throw file_error(ReadProblem::read, path, fmt::format("cannot read the file: {}", std::strerror(errno)),
                     "a readable file");
  }
  return data;
}

bool is_gzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

}  // namespace vdc::io
