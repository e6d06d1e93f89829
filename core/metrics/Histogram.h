// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace bitlens {

// Equal-width bins over [low, high]: bin i holds low + i*w <= x < low + (i+1)*w, the last bin
// also holds x == high.
struct HistogramBins {
    double low = -1;
    double high = 1;
    uint32_t count = 64;

    // Throws Error unless low < high are finite and 1 <= count <= kMaxHistogramBins.
    static HistogramBins explicitRange(double low, double high, uint32_t count);
};

inline constexpr uint32_t kMinAutoBins = 64;
inline constexpr uint32_t kMaxAutoBins = 1024;
inline constexpr uint32_t kMaxHistogramBins = 1u << 20;
inline constexpr uint64_t kHistogramSampleSize = 65536;

// Bins chosen for weights, whose tails matter (outliers set the quantization scales):
// - range: symmetric [-m, m] with m = max |x| over the finite values, so that every finite value
//   is counted, the tails are visible and 0 is a bin edge; [-1, 1] when m is 0 or nothing is
//   finite;
// - count: Freedman-Diaconis, width = 2 IQR / cbrt(n) with n the finite count and the IQR taken
//   from an evenly strided sample of at most kHistogramSampleSize values; rounded up to an even
//   count (0 stays an edge) and clamped to kMinAutoBins..kMaxAutoBins; kMinAutoBins when the
//   IQR is 0.
HistogramBins chooseHistogramBins(std::span<const float> values);

// Counts of values in fixed bins. Fill with add() in any number of chunks; merge() adds the
// counts of a histogram with the same bins. Infinities go to underflow/overflow, NaN to nanCount.
class Histogram {
public:
    explicit Histogram(HistogramBins bins);

    void add(std::span<const float> values);
    // Throws Error when the bins differ.
    void merge(const Histogram& other);

    const HistogramBins& bins() const { return bins_; }
    // count()+1 edges; edges.front() == low and edges.back() == high exactly.
    std::vector<double> edges() const;
    const std::vector<uint64_t>& counts() const { return counts_; }
    uint64_t underflow() const { return underflow_; }
    uint64_t overflow() const { return overflow_; }
    uint64_t nanCount() const { return nanCount_; }
    // Every value added: bins + underflow + overflow + NaN.
    uint64_t total() const;

private:
    HistogramBins bins_;
    std::vector<uint64_t> counts_;
    uint64_t underflow_ = 0;
    uint64_t overflow_ = 0;
    uint64_t nanCount_ = 0;
};

// A histogram of `values` in bins chosen by chooseHistogramBins.
Histogram histogramOf(std::span<const float> values);

} // namespace bitlens
