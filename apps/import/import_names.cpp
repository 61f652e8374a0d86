// Names and text made fit for a scenario: apps/import/import_names.hpp.
#include "import_names.hpp"

#include <fmt/format.h>

namespace vdc::import::detail {

std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80;  // allowed range of the second byte
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size() || byte(1) < lo || byte(1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  }
  return n;
}

std::string clean_text(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += '?';
      ++i;
      continue;
    }
    if (n == 1 && (static_cast<unsigned char>(text[i]) < 0x20 || text[i] == 0x7f)) {
      out += ' ';
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string scenario_name(std::string_view name) {
  std::string out = clean_text(name);
  for (char& c : out) {
    if (c == '/') c = '_';
    if (c == '{') c = '(';
    if (c == '}') c = ')';
  }
  return out;
}

std::string slug(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    if (alnum) {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string NameBook::add(const std::string& original) {
  std::string name = scenario_name(original);
  if (!used_.count(name) && name == original) {
    used_.insert(name);
    return name;
  }
  const std::string base = name;
  for (int k = 2; used_.count(name); ++k) name = fmt::format("{} ({})", base, k);
  used_.insert(name);
  notes_.push_back(fmt::format("{} '{}' renamed '{}' ({})", kind_, original, name,
                               base == original
                                   ? "the name is taken"
                                   : "names may not hold '/', braces or control characters"));
  return name;
}

}  // namespace vdc::import::detail
