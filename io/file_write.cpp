#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vdc/io/file.hpp"

namespace vdc::io {
namespace {

/// The process's umask (read by setting it and putting it back).
mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string tmpl = (dir / fmt::format(".{}.XXXXXX", path.filename().string())).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    throw std::runtime_error(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
  }
  // mkstemp makes the file 0600; the file is as readable as any file the user writes.
  ::fchmod(fd, static_cast<mode_t>(0666) & ~current_umask());

  const char* data = content.data();
  std::size_t left = content.size();
  int err = 0;
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  // On disk before it takes the name: a crash after the rename never leaves an empty file.
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(tmpl.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmpl.c_str());
    throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
  }
}

std::filesystem::path make_temp_folder(const std::filesystem::path& pattern) {
  std::string tmpl = pattern.string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error(fmt::format("cannot create a folder in {}: {}", pattern.parent_path().string(),
                                         std::error_code(errno, std::generic_category()).message()));
  }
  // mkdtemp makes it 0700.
  ::chmod(tmpl.c_str(), static_cast<mode_t>(0777) & ~current_umask());
  return tmpl;
}

}  // namespace vdc::io
