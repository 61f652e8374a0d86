// Reading a large text in two pieces at once (yaml_tree.hpp, parse_document): the tree is
// the one a single parse builds, position for position, or the text is read in one piece.
#include <doctest/doctest.h>

#include <cstddef>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "scenario_test_support.hpp"
#include "sink.hpp"
#include "yaml_tree.hpp"

using namespace vdc::scenario::detail;

namespace {

constexpr std::size_t never = std::numeric_limits<std::size_t>::max();

/// The first difference between two trees, or empty when they are the same.
std::string difference(const Node& a, const Node& b, const std::string& at = "root") {
  if (a.kind != b.kind) return at + ": kinds differ";
  if (a.pos.line != b.pos.line || a.pos.column != b.pos.column) {
    return fmt::format("{}: at {}:{} against {}:{}", at, a.pos.line, a.pos.column, b.pos.line, b.pos.column);
  }
  if (a.text != b.text || a.plain != b.plain) return at + ": scalars differ";
  if (a.items.size() != b.items.size()) return at + ": item counts differ";
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    if (std::string d = difference(a.items[i], b.items[i], fmt::format("{}[{}]", at, i)); !d.empty()) return d;
  }
  if (a.entries.size() != b.entries.size()) return at + ": entry counts differ";
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    const Entry& x = a.entries[i];
    const Entry& y = b.entries[i];
    if (x.key != y.key || x.key_pos.line != y.key_pos.line || x.key_pos.column != y.key_pos.column) {
      return fmt::format("{}: key {} differs", at, i);
    }
    if (std::string d = difference(x.value, y.value, at + "." + x.key); !d.empty()) return d;
  }
  return {};
}

/// The diagnostics of parse_document, from `split_from` bytes on in two pieces.
std::vector<std::string> diagnostics(const std::string& text, std::size_t split_from) {
  Sink sink("s.yaml");
  static_cast<void>(parse_document(text, sink, split_from));
  std::vector<std::string> out;
  for (const auto& d : sink.take()) out.push_back(d.format());
  return out;
}

/// Checks that the text reads in two pieces (when `split` says it should) into the tree
/// one parse builds, and that parse_document gives the same tree and diagnostics either way.
void check_same_tree(const std::string& text, bool split) {
  Sink one_sink("s.yaml");
  const std::optional<Node> one = parse_document(text, one_sink, never);
  const std::optional<Node> two = parse_in_two_pieces(text);
  CHECK(two.has_value() == split);
  if (two) {
    REQUIRE(one);
    CHECK(difference(*one, *two).empty());
    CAPTURE(difference(*one, *two));
  }
  Sink sink("s.yaml");
  const std::optional<Node> any = parse_document(text, sink, 0);
  REQUIRE(any.has_value() == one.has_value());
  if (any) CHECK(difference(*one, *any).empty());
  CHECK(diagnostics(text, 0) == diagnostics(text, never));
}

/// `count` lines, as `line(i)` writes each.
template <class Line>
std::string items(int count, Line line) {
  std::string s;
  for (int i = 0; i < count; ++i) s += line(i);
  return s;
}

std::string vm_line(int i) {
  return fmt::format("  - {{name: vm{:05}, host: esx{:03}, vcpus: {}}}\n", i, i % 100, 2 + i % 3);
}

}  // namespace

TEST_CASE("a long vms list reads in two pieces into the tree one parse builds") {
  const std::string head = "name: big\nduration: 1h\nhosts:\n  - {name: \"esx{000..099}\", cpu: 16}\nvms:\n";
  SUBCASE("the list ends the file") { check_same_tree(head + items(2000, vm_line), true); }
  SUBCASE("keys and lists follow it") {
    check_same_tree(head + items(2000, vm_line) + "clusters:\n  - {name: c1}\n  - {name: c2}\nseed: 7\n", true);
  }
  SUBCASE("its items are block mappings over several lines, with comments and blank lines") {
    check_same_tree(head + items(1000, [](int i) {
                      return fmt::format("  - name: vm{}\n    host: esx{:03}\n\n# a comment at column 1\n"
                                         "    memory: 4 GiB  # and one after a value\n",
                                         i, i % 100);
                    }) + "seed: 3\n",
                    true);
  }
  SUBCASE("empty items take the list's position, as in one parse") {
    check_same_tree(head + items(2000, [](int i) { return i % 7 == 3 ? std::string("  -\n") : vm_line(i); }),
                    true);
  }
  SUBCASE("the items are at column 1 under their key") {
    check_same_tree("name: big\nvms:\n" + items(2000, [](int i) { return vm_line(i).substr(2); }) + "seed: 1\n",
                    true);
  }
  SUBCASE("the list is nested: hosts of a cluster") {
    check_same_tree("name: big\nclusters:\n  - name: c1\n    hosts:\n" +
                        items(2000, [](int i) { return fmt::format("      - {{name: esx{:04}}}\n", i); }) +
                        "  - name: c2\n    hosts: []\nvms: []\n",
                    true);
  }
  SUBCASE("lines end in CR LF") {
    std::string text = head + items(2000, vm_line);
    std::string crlf;
    for (const char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    check_same_tree(crlf, true);
  }
}

TEST_CASE("a text whose middle is not a list's items reads in one piece") {
  SUBCASE("lines like items inside a block scalar") {
    check_same_tree("name: big\ndescription: |\n" + items(2000, [](int i) { return fmt::format("  - note {}\n", i); }) +
                        "vms: []\n",
                    false);
  }
  SUBCASE("lines like items inside a quoted scalar") {
    check_same_tree("name: big\nnote: \"start\n" + items(2000, [](int i) { return fmt::format("  - word {}\n", i); }) +
                        "  end\"\nvms: []\n",
                    false);
  }
  SUBCASE("anchors and merge keys") {
    check_same_tree("name: big\ndefaults: &d {vcpus: 2}\nvms:\n" +
                        items(2000, [](int i) { return fmt::format("  - {{name: vm{}, <<: *d}}\n", i); }),
                    false);
  }
  SUBCASE("a small list") {
    check_same_tree("name: big\nvms:\n" + items(10, vm_line) + "notes: |\n" +
                        items(2000, [](int i) { return fmt::format("  line {}\n", i); }),
                    false);
  }
}

TEST_CASE("a problem in either piece is reported as one parse reports it") {
  const std::string head = "name: big\nvms:\n";
  const auto broken = [&](int bad, const std::string& line) {
    return head + items(2000, [&](int i) { return i == bad ? line : vm_line(i); });
  };
  for (const int bad : {300, 1700}) {
    CAPTURE(bad);
    check_same_tree(broken(bad, "  - {name: unclosed, host: esx001\n"), false);
    check_same_tree(broken(bad, "  - {name: twice, name: again}\n"), false);
    check_same_tree(broken(bad, "  - {name: tab}\n\t- {name: x}\n"), false);
    check_same_tree(broken(bad, "  - *nowhere\n"), false);
  }
  // The diagnostics name the lines of the whole file.
  const std::vector<std::string> d = diagnostics(broken(1700, "  - {name: twice, name: again}\n"), 0);
  REQUIRE(d.size() == 1);
  CHECK(d[0].starts_with("s.yaml:1703:"));
}

TEST_CASE("every bundled scenario reads the same in two pieces as in one") {
  for (const auto& entry : std::filesystem::directory_iterator(VDC_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    CAPTURE(entry.path().string());
    const std::string text = vdc::scenario::test::read_text(entry.path());
    Sink one_sink("s.yaml");
    const std::optional<Node> one = parse_document(text, one_sink, never);
    Sink two_sink("s.yaml");
    const std::optional<Node> two = parse_document(text, two_sink, 0);
    REQUIRE(one.has_value() == two.has_value());
    if (one) CHECK(difference(*one, *two).empty());
  }
}
