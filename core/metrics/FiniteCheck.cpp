// SPDX-License-Identifier: MIT
#include "core/metrics/FiniteCheck.h"

#include <cmath>

namespace bitlens {

FiniteCheck checkFinite(std::span<const float> values) {
    FiniteCheck check;
    for (size_t i = 0; i < values.size(); ++i) {
        if (std::isfinite(values[i]))
            continue;
        if (check.nonFiniteCount++ == 0)
            check.firstIndex = i;
    }
    return check;
}

std::string describeNonFinite(const FiniteCheck& check, uint64_t rowLength) {
    const uint64_t row = rowLength ? check.firstIndex / rowLength : 0;
    const uint64_t column = rowLength ? check.firstIndex % rowLength : check.firstIndex;
    return std::to_string(check.nonFiniteCount) +
           (check.nonFiniteCount == 1 ? " NaN/Inf value" : " NaN/Inf values") + " (first at row " +
           std::to_string(row) + ", column " + std::to_string(column) + ")";
}

} // namespace bitlens
