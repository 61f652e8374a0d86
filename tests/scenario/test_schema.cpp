#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "scenario_test_support.hpp"
#include "vdc/scenario/keys.hpp"

using namespace vdc::scenario;
using namespace vdc::scenario::test;
namespace fs = std::filesystem;

namespace {

nlohmann::json read_schema() {
  std::ifstream in(VDC_SOURCE_DIR "/scenarios/vdcsim.schema.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("the JSON schema is draft 2020-12 and starts at the scenario definition") {
  const nlohmann::json schema = read_schema();
  CHECK(schema.at("$schema") == "https://json-schema.org/draft/2020-12/schema");
  CHECK(schema.at("$ref") == "#/$defs/scenario");
  CHECK(schema.at("$defs").at("scenario").at("required") ==
        nlohmann::json::array({"name", "duration", "hosts", "vms"}));
}

TEST_CASE("the schema declares exactly the keys the loader accepts, and no others") {
  const nlohmann::json defs = read_schema().at("$defs");
  for (const KeySet* set : all_key_sets()) {
    INFO("$defs/" << set->name);
    REQUIRE(defs.contains(std::string(set->name)));
    const nlohmann::json& def = defs.at(std::string(set->name));
    CHECK(def.at("additionalProperties") == false);
    std::set<std::string> in_schema;
    for (const auto& [key, value] : def.at("properties").items()) in_schema.insert(key);
    const std::set<std::string> in_loader(set->keys.begin(), set->keys.end());
    CHECK(in_schema == in_loader);
  }
}

TEST_CASE("a host and a VM accept every key of their profiles") {
  for (const auto& pair : {std::pair{&keys::host, &keys::host_profile},
                           std::pair{&keys::vm, &keys::vm_profile}}) {
    const auto* entity = pair.first;
    for (std::string_view key : pair.second->keys) {
      INFO(entity->name << " lacks " << key);
      CHECK(std::find(entity->keys.begin(), entity->keys.end(), key) != entity->keys.end());
    }
  }
}

TEST_CASE("every bundled scenario loads without diagnostics and names the schema") {
  int count = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(VDC_SOURCE_DIR "/scenarios")) {
    if (e.path().extension() != ".yaml") continue;
    ++count;
    INFO(e.path().string());
    const LoadResult r = load_file(e.path().string());
    INFO(joined(r));
    CHECK(r.ok());
    CHECK(r.diagnostics.empty());
    std::ifstream in(e.path());
    std::string first_line;
    std::getline(in, first_line);
    CHECK(first_line == "# yaml-language-server: $schema=./vdcsim.schema.json");
  }
  CHECK(count >= 1);
}
