// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

namespace bitlens {

// A copy of `value` small enough to print: every array (at any depth) with more than
// `maxArrayLength` items becomes {"array_length": N, "first": [its first `keptItems` items]}.
// Objects and short arrays are kept, with their members summarised the same way.
nlohmann::json summarizeLongArrays(const nlohmann::json& value, size_t maxArrayLength = 16,
                                   size_t keptItems = 5);

} // namespace bitlens
