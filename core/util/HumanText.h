// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bitlens {

// Text for people (tables, status bars). Machine-readable output keeps the raw numbers.

// "[128, 784]", outermost dimension first; "[]" for a scalar.
std::string shapeText(const std::vector<uint64_t>& shape);

// Binary units with one decimal: "0 B", "1023 B", "1.5 KiB", "397.0 KiB", "12.6 GiB".
std::string byteSizeText(uint64_t bytes);

} // namespace bitlens
