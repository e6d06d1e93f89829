// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

namespace bitlens {

// Loops written in fixed blocks of 8 so that -O2 vectorizes them (its cost model refuses loops
// that need a remainder). addScaled keeps each y[j]'s own order of additions, so its results are
// bit-identical to the plain loop; dotProduct sums in 8 interleaved lanes.

// y[j] += a * x[j] for j in [0, n)
inline void addScaled(float* __restrict y, float a, const float* __restrict x, size_t n) {
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (size_t k = 0; k < 8; ++k)
            y[j + k] += a * x[j + k];
    for (; j < n; ++j)
        y[j] += a * x[j];
}

// sum over j of x[j] * y[j]
inline float dotProduct(const float* __restrict x, const float* __restrict y, size_t n) {
    float lanes[8] = {};
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (size_t k = 0; k < 8; ++k)
            lanes[k] += x[j + k] * y[j + k];
    float sum = 0;
    for (; j < n; ++j)
        sum += x[j] * y[j];
    for (float lane : lanes)
        sum += lane;
    return sum;
}

} // namespace bitlens
