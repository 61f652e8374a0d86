#pragma once
/// The browser builds of Vega, Vega-Lite and Vega-Embed, embedded in the binary.

#include <string_view>

namespace vdc::report::html {

[[nodiscard]] std::string_view vega_js();
[[nodiscard]] std::string_view vega_lite_js();
[[nodiscard]] std::string_view vega_embed_js();

}  // namespace vdc::report::html
