#include <doctest/doctest.h>

#include "name_range.hpp"
#include "scenario_test_support.hpp"
#include "suggest.hpp"

using namespace vdc;
using namespace vdc::scenario::detail;
using namespace vdc::scenario::test;

namespace {

std::vector<std::string> names_of(const RangeExpansion& e) {
  std::vector<std::string> out;
  for (const RangedName& n : e.names) out.push_back(n.name);
  return out;
}

}  // namespace

TEST_CASE("a zero-padded range keeps its width and numbers each name") {
  const RangeExpansion e = expand_range("web{01..40}");
  REQUIRE(e.error.empty());
  REQUIRE(e.names.size() == 40);
  CHECK(e.names.front().name == "web01");
  CHECK(e.names.front().index == 1);
  CHECK(e.names[8].name == "web09");
  CHECK(e.names.back().name == "web40");
  CHECK(e.names.back().index == 40);
}

TEST_CASE("an unpadded range counts without padding, with prefix and suffix kept") {
  CHECK(names_of(expand_range("esx{2..4}")) == std::vector<std::string>{"esx2", "esx3", "esx4"});
  CHECK(names_of(expand_range("n{8..11}.lab")) ==
        std::vector<std::string>{"n8.lab", "n9.lab", "n10.lab", "n11.lab"});
  CHECK(names_of(expand_range("{001..002}x")) == std::vector<std::string>{"001x", "002x"});
  CHECK(names_of(expand_range("solo{5..5}")) == std::vector<std::string>{"solo5"});
}

TEST_CASE("a name without a range stands for itself with index zero") {
  const RangeExpansion e = expand_range("db01");
  REQUIRE(e.names.size() == 1);
  CHECK(e.names[0].name == "db01");
  CHECK(e.names[0].index == 0);
}

TEST_CASE("malformed ranges say what is wrong") {
  CHECK(expand_range("w{05..02}").error == "descending name range '{05..02}'");
  CHECK(expand_range("w{a..b}").error == "bad name range '{a..b}'");
  CHECK(expand_range("w{1..}").error == "bad name range '{1..}'");
  CHECK(expand_range("w{01..").error == "unterminated name range in 'w{01..'");
  CHECK(expand_range("w}1{").error == "unterminated name range in 'w}1{'");
  CHECK(expand_range("w{1..2}{3..4}").error == "more than one name range in 'w{1..2}{3..4}'");
  CHECK(expand_range("w{1..100000}").error.empty());
  CHECK(expand_range("w{1..100001}").error == "name range '{1..100001}' is too large");
  CHECK(expand_range("w{1..99999999999999999999}").error ==
        "name range '{1..99999999999999999999}' is too large");
}

TEST_CASE("ranges expand in hosts, clusters and VMs alike") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(
hosts: [{name: "esx{1..3}", memory: 64 GiB}]
clusters: [{name: c1, hosts: ["esx{1..2}"]}]
vms: [{name: "web{01..12}", host: esx3}]
)"));
  CHECK(c.hosts.size() == 3);
  CHECK(c.clusters.at(0).hosts == std::vector<std::string>{"esx1", "esx2"});
  REQUIRE(c.vms.size() == 12);
  CHECK(c.vms[11].name == "web12");
  CHECK(c.vms[11].index == 12);
}

TEST_CASE("the edit distance counts a swap of neighbours as one edit") {
  CHECK(edit_distance("vcpus", "vcpus") == 0);
  CHECK(edit_distance("vcpu", "vcpus") == 1);
  CHECK(edit_distance("memroy", "memory") == 1);
  CHECK(edit_distance("Fluid", "fluid") == 0);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("a suggestion comes only from a name within reach") {
  const std::vector<std::string> hosts{"esx01", "esx02", "db"};
  CHECK(closest("esx1", hosts) == "esx01");
  CHECK(closest("esx03", hosts) == "esx01");
  CHECK(closest("web", hosts).empty());
  CHECK(closest("dc", hosts) == "db");
  CHECK(closest("xy", hosts).empty());
}
