// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>

namespace bitlens {

// Error of a quantized tensor against its original.
struct ErrorMetrics {
    uint64_t count = 0;
    double mse = 0;
    double rmse = 0;
    double relativeRmse = 0; // rmse / rms(original); 0 when the original is all zeros
    double maxAbsError = 0;
    double sqnrDb = 0; // 10 log10(sum x^2 / sum e^2); +inf when the error is zero
    double cosine = 0; // cos angle(original, dequantized); 1 when both are zero
};

// Sums that ErrorMetrics are computed from. Chunks can be accumulated separately (on threads or
// on the GPU) and merged; the result does not depend on how the data was split beyond float64
// summation order.
class ErrorAccumulator {
public:
    void add(std::span<const float> original, std::span<const float> dequantized);
    void merge(const ErrorAccumulator& other);
    ErrorMetrics finish() const;

    // Raw sums, for backends that reduce on the device and hand them over.
    struct Sums {
        uint64_t count = 0;
        double sumSquaredError = 0;
        double sumSquaredOriginal = 0;
        double sumSquaredDequantized = 0;
        double sumProduct = 0;
        double maxAbsError = 0;
    };
    const Sums& sums() const { return sums_; }
    static ErrorAccumulator fromSums(const Sums& sums);

private:
    Sums sums_;
};

} // namespace bitlens
