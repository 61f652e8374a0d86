#include "suggest.hpp"

#include <algorithm>
#include <vector>

namespace vdc::scenario::detail {

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  // Three rows suffice: transpositions look two rows back.
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

void Suggestion::offer(std::string_view candidate) {
  if (candidate == word_) return;
  const std::size_t reach = std::clamp<std::size_t>((word_.size() + 1) / 3, 1, 2);
  const std::size_t d = edit_distance(word_, candidate);
  if (d > reach) return;
  if (best_.empty() || d < best_distance_) {
    best_ = std::string(candidate);
    best_distance_ = d;
  }
}

}  // namespace vdc::scenario::detail
