// The GPU boards from their data files: include/vdc/models/gpu/boards.hpp.
#include "vdc/models/gpu/boards.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace vdc::models::gpu {
namespace {

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A name as a scenario may write it: case-insensitive, spaces as dashes.
std::string key(std::string_view s) {
  std::string out = lower(s);
  std::replace(out.begin(), out.end(), ' ', '-');
  return out;
}

class FileParser {
 public:
  FileParser(std::string_view path, std::string_view text) : path_(path), text_(text) {}

  std::vector<Board> parse() {
    std::size_t pos = 0;
    while (pos <= text_.size()) {
      const std::size_t end = std::min(text_.find('\n', pos), text_.size());
      ++line_;
      std::string_view line = text_.substr(pos, end - pos);
      if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
      const std::vector<std::string_view> w = words(line);
      if (!w.empty()) take(w, line);
      pos = end + 1;
    }
    for (const Board& b : boards_) check(b);
    return std::move(boards_);
  }

 private:
  [[noreturn]] void fail(std::string_view what) const {
    throw std::runtime_error(fmt::format("{}:{}: {}", path_, line_, what));
  }

  int integer(std::string_view s) const {
    int v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) fail(fmt::format("'{}' is not an integer", s));
    return v;
  }

  Board& board() {
    if (boards_.empty()) fail("a line before the first 'board'");
    return boards_.back();
  }

  void take(const std::vector<std::string_view>& w, std::string_view line) {
    const std::string_view what = w[0];
    if (what == "board" && w.size() == 2) {
      boards_.push_back(Board{});
      boards_.back().name = std::string(w[1]);
      boards_.back().file = std::string(path_);
    } else if (what == "full" && w.size() >= 2) {
      const std::size_t at = line.find(w[1]);
      std::string_view rest = line.substr(at);
      while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t' || rest.back() == '\r')) rest.remove_suffix(1);
      board().full_name = std::string(rest);
    } else if (what == "architecture" && w.size() == 2) {
      board().architecture = std::string(w[1]);
    } else if (what == "framebuffer" && w.size() == 2) {
      board().framebuffer_mib = integer(w[1]) * 1024.0;
    } else if (what == "mixed" && w.size() == 2 && (w[1] == "yes" || w[1] == "no")) {
      board().mixed = w[1] == "yes";
    } else if (what == "vgpu" && w.size() == 6) {
      VgpuProfile p;
      p.name = std::string(w[1]);
      p.framebuffer_mib = integer(w[2]) * 1024.0;
      if (w[3].size() != 1 || std::string_view("ABCQ").find(w[3][0]) == std::string_view::npos) fail("series is not A, B, C or Q");
      p.series = w[3][0];
      p.max_equal = integer(w[4]);
      p.max_mixed = w[5] == "-" ? 0 : integer(w[5]);
      board().profiles.push_back(std::move(p));
    } else if (what == "mig" && w.size() == 8) {
      VgpuProfile p;
      p.name = std::string(w[1]);
      p.mig = true;
      p.compute_slices = integer(w[2]);
      p.memory_slices = integer(w[3]);
      p.framebuffer_mib = integer(w[4]) * 1024.0;
      std::string_view starts = w[5];
      while (!starts.empty()) {
        const std::size_t comma = std::min(starts.find(','), starts.size());
        p.starts.push_back(integer(starts.substr(0, comma)));
        starts.remove_prefix(std::min(comma + 1, starts.size()));
      }
      p.max_mig = integer(w[6]);
      p.instance = std::string(w[7]);
      const char last = p.name.back() == 'E' ? 'C' : p.name.back();  // "...CME": C-series with media engine
      p.series = last;
      board().profiles.push_back(std::move(p));
    } else {
      fail(fmt::format("cannot read '{}'", line));
    }
  }

  void check(const Board& b) const {
    if (b.full_name.empty() || b.architecture.empty() || b.framebuffer_mib <= 0.0 || b.profiles.empty()) {
      throw std::runtime_error(fmt::format("{}: board {} lacks full, architecture, framebuffer or profiles", path_, b.name));
    }
    for (const VgpuProfile& p : b.profiles) {
      const bool bad = p.framebuffer_mib > b.framebuffer_mib ||
                       (!p.mig && (p.max_equal < 1 || (p.max_mixed > 0) != b.mixed)) ||
                       (p.mig && (p.starts.empty() || p.max_mig < 1 || p.memory_slices < 1 ||
                                  p.starts.back() + p.memory_slices > mig_memory_slices ||
                                  p.compute_slices > mig_compute_slices || !std::is_sorted(p.starts.begin(), p.starts.end())));
      if (bad) throw std::runtime_error(fmt::format("{}: profile {} of {} is inconsistent", path_, p.name, b.name));
    }
  }

  std::string_view path_;
  std::string_view text_;
  int line_ = 0;
  std::vector<Board> boards_;
};

std::vector<Board> load_all() {
  std::vector<Board> all;
  for (const BoardFile& f : board_files()) {
    std::vector<Board> some = parse_board_file(f.path, f.text);
    for (Board& b : some) all.push_back(std::move(b));
  }
  return all;
}

}  // namespace

bool Board::has_mig() const {
  return std::any_of(profiles.begin(), profiles.end(), [](const VgpuProfile& p) { return p.mig; });
}

std::vector<Board> parse_board_file(std::string_view path, std::string_view text) {
  return FileParser(path, text).parse();
}

const std::vector<Board>& boards() {
  static const std::vector<Board> all = [] {
    try {
      return load_all();
    } catch (const std::runtime_error& e) {
      throw std::logic_error(e.what());
    }
  }();
  return all;
}

const Board* find_board(std::string_view name) {
  const std::string k = key(name);
  for (const Board& b : boards()) {
    if (key(b.name) == k || key(b.full_name) == k) return &b;
  }
  return nullptr;
}

std::optional<ProfileRef> find_profile(std::string_view name) {
  const std::string k = key(name);
  for (const Board& b : boards()) {
    for (const VgpuProfile& p : b.profiles) {
      if (key(p.name) == k) return ProfileRef{&b, &p};
    }
  }
  return std::nullopt;
}

std::vector<std::string> board_names() {
  std::vector<std::string> out;
  for (const Board& b : boards()) out.push_back(b.name);
  return out;
}

std::vector<std::string> profile_names() {
  std::vector<std::string> out;
  for (const Board& b : boards()) {
    for (const VgpuProfile& p : b.profiles) out.push_back(p.name);
  }
  return out;
}

std::string describe_boards() {
  std::string out = "  boards (data/gpu/, built in):\n";
  for (const Board& b : boards()) {
    out += fmt::format("  {}  ({}, {}, {:g} GB framebuffer, mixed-size mode {}, MIG {}; {})\n", b.name, b.full_name,
                       b.architecture, b.framebuffer_mib / 1024.0, b.mixed ? "yes" : "no", b.has_mig() ? "yes" : "no",
                       b.file);
    for (const VgpuProfile& p : b.profiles) {
      if (p.mig) {
        std::string starts;
        for (const int s : p.starts) starts += fmt::format("{}{}", starts.empty() ? "" : ",", s);
        out += fmt::format("      {:<16} MIG {:<11} {:>4g} GB  {}  max {}  memory slices {}  starts {}\n", p.name,
                           p.instance, p.framebuffer_mib / 1024.0, p.series, p.max_mig, p.memory_slices, starts);
      } else {
        out += fmt::format("      {:<16} time-sliced     {:>4g} GB  {}  max {} equal-size, {}\n", p.name,
                           p.framebuffer_mib / 1024.0, p.series, p.max_equal,
                           p.max_mixed > 0 ? fmt::format("{} mixed-size", p.max_mixed) : std::string("no mixed-size"));
      }
    }
  }
  return out;
}

}  // namespace vdc::models::gpu
