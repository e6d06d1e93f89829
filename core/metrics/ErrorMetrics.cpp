// SPDX-License-Identifier: MIT
#include "core/metrics/ErrorMetrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bitlens {

void ErrorAccumulator::add(std::span<const float> original, std::span<const float> dequantized) {
    const size_t n = std::min(original.size(), dequantized.size());
    for (size_t i = 0; i < n; ++i) {
        const double x = original[i];
        const double y = dequantized[i];
        const double e = y - x;
        sums_.sumSquaredError += e * e;
        sums_.sumSquaredOriginal += x * x;
        sums_.sumSquaredDequantized += y * y;
        sums_.sumProduct += x * y;
        sums_.maxAbsError = std::max(sums_.maxAbsError, std::abs(e));
    }
    sums_.count += n;
}

void ErrorAccumulator::merge(const ErrorAccumulator& other) {
    sums_.count += other.sums_.count;
    sums_.sumSquaredError += other.sums_.sumSquaredError;
    sums_.sumSquaredOriginal += other.sums_.sumSquaredOriginal;
    sums_.sumSquaredDequantized += other.sums_.sumSquaredDequantized;
    sums_.sumProduct += other.sums_.sumProduct;
    sums_.maxAbsError = std::max(sums_.maxAbsError, other.sums_.maxAbsError);
}

ErrorAccumulator ErrorAccumulator::fromSums(const Sums& sums) {
    ErrorAccumulator accumulator;
    accumulator.sums_ = sums;
    return accumulator;
}

ErrorMetrics ErrorAccumulator::finish() const {
    ErrorMetrics metrics;
    metrics.count = sums_.count;
    if (sums_.count == 0)
        return metrics;
    const double n = double(sums_.count);
    metrics.mse = sums_.sumSquaredError / n;
    metrics.rmse = std::sqrt(metrics.mse);
    const double rms = std::sqrt(sums_.sumSquaredOriginal / n);
    metrics.relativeRmse = rms > 0 ? metrics.rmse / rms : 0;
    metrics.maxAbsError = sums_.maxAbsError;
    metrics.sqnrDb = sums_.sumSquaredError > 0
                         ? 10.0 * std::log10(sums_.sumSquaredOriginal / sums_.sumSquaredError)
                         : std::numeric_limits<double>::infinity();
    const double norms =
        std::sqrt(sums_.sumSquaredOriginal) * std::sqrt(sums_.sumSquaredDequantized);
    metrics.cosine = norms > 0 ? sums_.sumProduct / norms
                               : (sums_.sumSquaredOriginal == sums_.sumSquaredDequantized ? 1 : 0);
    return metrics;
}

} // namespace bitlens
