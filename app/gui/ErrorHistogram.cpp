// SPDX-License-Identifier: MIT
#include "gui/ErrorHistogram.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace bitlens {

namespace {

void checkSameSize(std::span<const float> original, std::span<const float> dequantized) {
    if (original.size() != dequantized.size())
        throw Error("error histogram: " + std::to_string(original.size()) + " original and " +
                    std::to_string(dequantized.size()) + " dequantized values");
}

} // namespace

double maxAbsError(std::span<const float> original, std::span<const float> dequantized) {
    checkSameSize(original, dequantized);
    double largest = 0;
    for (size_t i = 0; i < original.size(); ++i)
        largest = std::max(largest, std::abs(double(dequantized[i]) - double(original[i])));
    return largest;
}

ErrorHistogram errorHistogram(std::span<const float> original, std::span<const float> dequantized,
                              double limit, int bins) {
    checkSameSize(original, dequantized);
    ErrorHistogram result;
    result.histogram = HistogramSeries::count({}, -limit, limit, bins);
    const double width = result.histogram.binWidth();
    double sum = 0;
    double sumSquares = 0;
    for (size_t i = 0; i < original.size(); ++i) {
        const double error = double(dequantized[i]) - double(original[i]);
        sum += error;
        sumSquares += error * error;
        if (error >= -limit && error <= limit) {
            const auto bin = std::min(int((error + limit) / width), bins - 1);
            result.histogram.counts[size_t(bin)] += 1;
        }
    }
    if (!original.empty()) {
        result.mean = sum / double(original.size());
        result.rmse = std::sqrt(sumSquares / double(original.size()));
    }
    return result;
}

} // namespace bitlens
