// SPDX-License-Identifier: MIT
#pragma once

#include "gui/HistogramSeries.h"

#include <span>

namespace bitlens {

// The distribution of the quantization error e = dequantized - original of one tensor.
struct ErrorHistogram {
    HistogramSeries histogram;
    double mean = 0; // mean of e (the bias)
    double rmse = 0; // sqrt(mean of e^2)
};

// Largest |dequantized - original|; 0 for empty spans. Throws Error when the sizes differ.
double maxAbsError(std::span<const float> original, std::span<const float> dequantized);

// Errors binned in `bins` equal bins over [-limit, limit] (limit > 0; callers comparing formats
// pass the largest maxAbsError of all so that the bins are shared). Mean and RMSE are over all
// values. Throws Error when the sizes differ or the range or bin count is bad.
ErrorHistogram errorHistogram(std::span<const float> original, std::span<const float> dequantized,
                              double limit, int bins);

} // namespace bitlens
