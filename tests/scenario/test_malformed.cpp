#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "scenario_test_support.hpp"

using namespace vdc::scenario;
using namespace vdc::scenario::test;
namespace fs = std::filesystem;

namespace {

/// The corpus paths as the loader is given them: relative to the source tree, which
/// becomes the working directory (as under ctest), so that messages name
/// "tests/malformed/<case>.yaml".
std::vector<fs::path> corpus() {
  fs::current_path(VDC_SOURCE_DIR);
  std::vector<fs::path> cases;
  for (const fs::directory_entry& e : fs::directory_iterator("tests/malformed")) {
    if (e.path().extension() == ".yaml") cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace

TEST_CASE("every malformed scenario gives exactly its expected diagnostics") {
  const std::vector<fs::path> cases = corpus();
  CHECK(cases.size() >= 24);
  for (const fs::path& yaml : cases) {
    fs::path expected_file = yaml;
    expected_file.replace_extension(".expected");
    INFO("case: " << yaml.generic_string());
    REQUIRE(fs::exists(expected_file));
    const LoadResult r = load_file(yaml.generic_string());
    CHECK_FALSE(r.ok());
    CHECK(joined(r) == read_text(expected_file));
  }
}

TEST_CASE("positions are 1-based and match the message") {
  fs::current_path(VDC_SOURCE_DIR);
  const LoadResult r = load_file("tests/malformed/tabs.yaml");
  REQUIRE(r.diagnostics.size() == 1);
  const Diagnostic& d = r.diagnostics[0];
  CHECK(d.file == "tests/malformed/tabs.yaml");
  CHECK(d.line == 5);
  CHECK(d.column == 1);
  CHECK_FALSE(d.is_warning);
  CHECK(d.message.rfind("tests/malformed/tabs.yaml:5:1: error: tab character", 0) == 0);
}

TEST_CASE("binary bytes anywhere are reported at their position") {
  const LoadResult r = load(std::string("name: ok\nduration: 1h\nx: \"a\xc3(\"\n"));
  CHECK(messages(r) == std::vector<std::string>{
                           "t.yaml:3:6: error: not a text file: byte 0xC3 (expected a UTF-8 YAML text)"});
  const LoadResult nul = load(std::string("name: x\0y\n", 10));
  CHECK(messages(nul) == std::vector<std::string>{
                             "t.yaml:1:8: error: not a text file: byte 0x00 (expected a UTF-8 YAML text)"});
}

TEST_CASE("UTF-8 text beyond ASCII is accepted") {
  const LoadResult r = load(scenario_text("description: \"Überbuchung, 超額\"\nhosts: [{name: esx01, memory: 1 GiB}]\nvms: []\n"));
  CHECK(r.ok());
}
