// SPDX-License-Identifier: MIT
#include "HistogramEdges.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bitlens {

std::vector<float> equalWidthFloatEdges(double low, double high, uint32_t count) {
    const double scale = double(count) / (high - low);
    const uint64_t last = count - 1;
    const float infinity = std::numeric_limits<float>::infinity();
    // The CPU bin of a float inside [low, high].
    auto binOf = [&](float x) {
        return std::min(last, uint64_t((double(x) - low) * scale));
    };
    std::vector<float> edges(count + 1);
    float first = float(low);
    if (double(first) < low)
        first = std::nextafter(first, infinity);
    edges[0] = first;
    float top = float(high);
    if (double(top) > high)
        top = std::nextafter(top, -infinity);
    edges[count] = top;
    for (uint32_t i = 1; i < count; ++i) {
        // Start at the rounded edge, then walk to the smallest float whose bin is >= i; edges
        // never go below the previous one or above the top.
        if (edges[i - 1] == infinity) {
            edges[i] = infinity;
            continue;
        }
        float x = std::clamp(float(low + double(i) / scale), edges[i - 1], top);
        while (x > edges[i - 1] && binOf(std::nextafter(x, -infinity)) >= i)
            x = std::nextafter(x, -infinity);
        while (x < top && binOf(x) < i)
            x = std::nextafter(x, infinity);
        edges[i] = binOf(x) >= i ? x : infinity; // no float up to `high` reaches bin i
    }
    return edges;
}

} // namespace bitlens
