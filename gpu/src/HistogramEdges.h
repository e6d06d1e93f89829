// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

namespace bitlens {

// Float edges that make VulkanBackend::histogram count exactly like the CPU histogram's
// equal-width rule (core/metrics/Histogram: x in double, bin = min(count - 1,
// uint64((x - low) * (count / (high - low)))), x < low underflow, x > high overflow).
// edges[i] is the smallest float whose CPU bin is >= i (an edge that no float reaches repeats the
// next one, or is +infinity when no float up to `high` reaches it); edges[0] is the smallest float
// >= low, edges[count] the largest float <= high.
// Contract: low < high, both finite, count >= 1.
std::vector<float> equalWidthFloatEdges(double low, double high, uint32_t count);

} // namespace bitlens
