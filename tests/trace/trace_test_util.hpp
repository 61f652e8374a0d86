#pragma once
// Helpers shared by the trace tests: temporary files, gzip compression, and the shared
// data folder (which exists only beside a development checkout).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "vdc/io/file.hpp"

namespace vdc::test {

/// A fresh folder under the system temporary folder, removed when this goes away.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vdc-trace-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Writes `content` to `name` in the folder and returns its path.
  [[nodiscard]] std::string write(const std::string& name, std::string_view content) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary)
        .write(content.data(), static_cast<std::streamsize>(content.size()));
    return file.string();
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// `text` compressed as one gzip member.
inline std::string gzip(std::string_view text) { return vdc::io::gzip(text); }

/// The shared data folder (../shared/data beside the checkout), or empty when it is absent.
inline std::filesystem::path shared_data() {
  const std::filesystem::path dir = VDC_SHARED_DATA_DIR;
  return std::filesystem::is_directory(dir) ? dir : std::filesystem::path{};
}

}  // namespace vdc::test
