#pragma once
// What the command-line tests share: running vdcsim from the source folder, a fresh folder
// per test, and reading a file whole.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace vdc::cli_test {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A fresh empty folder for one test.
inline fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("vdcsim-cli-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

/// Runs vdcsim with `args` (a shell-quoted string) from the source folder; killed after
/// `timeout_s` seconds when that is above 0.
inline Outcome vdcsim(const std::string& args, int timeout_s = 0) {
  const fs::path dir = scratch("io");
  const std::string limit = timeout_s > 0 ? "timeout -s KILL " + std::to_string(timeout_s) + " " : "";
  const std::string cmd = std::string("cd '") + VDC_SOURCE_DIR + "' && " + limit + "'" + VDCSIM_BIN + "' " + args + " >'" +
                          (dir / "out").string() + "' 2>'" + (dir / "err").string() + "' </dev/null";
  const int raw = std::system(cmd.c_str());
  Outcome o;
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  o.out = slurp(dir / "out");
  o.err = slurp(dir / "err");
  return o;
}

}  // namespace vdc::cli_test
