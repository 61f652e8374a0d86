// yaml-cpp's own parse of a file into its node tree, timed: the floor the scenario loader
// is held against (`vdcsim validate` of the same file, bench/README.md).
// Usage: yaml_parse FILE
#include <chrono>
#include <cstdio>
#include <functional>

#include <yaml-cpp/yaml.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: yaml_parse FILE\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const YAML::Node root = YAML::LoadFile(argv[1]);
  // Visit every node, so that nothing is left unparsed or unused.
  std::size_t nodes = 0;
  const std::function<void(const YAML::Node&)> visit = [&](const YAML::Node& n) {
    ++nodes;
    if (n.IsMap()) {
      for (const auto& kv : n) visit(kv.second);
    } else if (n.IsSequence()) {
      for (const auto& item : n) visit(item);
    }
  };
  visit(root);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("yaml_parse: %zu nodes in %.3f s\n", nodes, wall);
  return 0;
}
