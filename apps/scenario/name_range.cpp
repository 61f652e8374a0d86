#include "name_range.hpp"

#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "values.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace {

constexpr std::string_view range_form = "expected {first..last} with whole numbers, like web{01..40}";

RangeExpansion failure(std::string error, std::string_view expected) {
  return RangeExpansion{{}, std::move(error), std::string(expected)};
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

RangeExpansion expand_range(std::string_view text) {
  const std::size_t open = text.find('{');
  const std::size_t close = text.find('}');
  if (open == std::string_view::npos) {
    if (close != std::string_view::npos) {
      return failure(fmt::format("unmatched '}}' in name '{}'", text), range_form);
    }
    return RangeExpansion{{RangedName{std::string(text), 0}}, {}, {}};
  }
  if (close == std::string_view::npos || close < open) {
    return failure(fmt::format("unterminated name range in '{}'", text), range_form);
  }
  const std::string_view prefix = text.substr(0, open);
  const std::string_view body = text.substr(open + 1, close - open - 1);
  const std::string_view suffix = text.substr(close + 1);
  if (suffix.find_first_of("{}") != std::string_view::npos) {
    return failure(fmt::format("more than one name range in '{}'", text),
                   "expected a single {first..last}");
  }
  const std::size_t dots = body.find("..");
  const std::string_view first = dots == std::string_view::npos ? body : body.substr(0, dots);
  const std::string_view last = dots == std::string_view::npos ? "" : body.substr(dots + 2);
  if (!all_digits(first) || !all_digits(last)) {
    return failure(fmt::format("bad name range '{{{}}}'", body), range_form);
  }
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  const bool lo_ok = std::from_chars(first.data(), first.data() + first.size(), lo).ec == std::errc();
  const bool hi_ok = std::from_chars(last.data(), last.data() + last.size(), hi).ec == std::errc();
  if (lo_ok && hi_ok && lo > hi) {
    return failure(fmt::format("descending name range '{{{}}}'", body),
                   "expected first <= last");
  }
  // Bounds stay below 10^9 so that a VM's index fits an int.
  constexpr std::int64_t max_bound = 999'999'999;
  if (!lo_ok || !hi_ok || hi > max_bound || hi - lo >= limits::max_range_names) {
    return failure(fmt::format("name range '{{{}}}' is too large", body),
                   fmt::format("expected at most {} names", limits::max_range_names));
  }
  const std::size_t width = (first.size() > 1 && first.front() == '0') ? first.size() : 0;
  RangeExpansion out;
  out.names.reserve(static_cast<std::size_t>(hi - lo + 1));
  for (std::int64_t i = lo; i <= hi; ++i) {
    out.names.push_back(RangedName{fmt::format("{}{:0{}}{}", prefix, i, width, suffix),
                                   static_cast<int>(i)});
  }
  return out;
}

std::vector<RangedName> read_names(Sink& sink, std::string_view key, const Node& node) {
  const std::optional<std::string> text = read_name(sink, key, node);
  if (!text) return {};
  RangeExpansion expansion = expand_range(*text);
  if (!expansion.error.empty()) {
    sink.error(node.pos, expansion.error, expansion.expected);
    return {};
  }
  return std::move(expansion.names);
}

}  // namespace vdc::scenario::detail
