// SPDX-License-Identifier: MIT
#include "core/metrics/Histogram.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>

namespace bitlens {

HistogramBins HistogramBins::explicitRange(double low, double high, uint32_t count) {
    if (!std::isfinite(low) || !std::isfinite(high) || !(low < high))
        throw Error("histogram range [" + std::to_string(low) + ", " + std::to_string(high) +
                    "] is not a finite interval with low < high");
    if (count < 1 || count > kMaxHistogramBins)
        throw Error("histogram bin count " + std::to_string(count) + " is outside 1.." +
                    std::to_string(kMaxHistogramBins));
    return {low, high, count};
}

namespace {

// The q-quantile (0..1) of a sample, by selection; reorders the sample.
double quantile(std::vector<float>& sample, double q) {
    const auto k = size_t(q * double(sample.size() - 1));
    std::nth_element(sample.begin(), sample.begin() + long(k), sample.end());
    return sample[k];
}

} // namespace

HistogramBins chooseHistogramBins(std::span<const float> values) {
    double maxAbs = 0;
    uint64_t finite = 0;
    for (float x : values) {
        if (!std::isfinite(x))
            continue;
        ++finite;
        maxAbs = std::max(maxAbs, double(std::abs(x)));
    }
    if (maxAbs == 0)
        return {-1, 1, kMinAutoBins};

    const uint64_t stride =
        std::max<uint64_t>(1, (values.size() + kHistogramSampleSize - 1) / kHistogramSampleSize);
    std::vector<float> sample;
    sample.reserve(values.size() / stride + 1);
    for (uint64_t i = 0; i < values.size(); i += stride)
        if (std::isfinite(values[i]))
            sample.push_back(values[i]);

    uint32_t count = kMinAutoBins;
    if (sample.size() >= 2) {
        const double q1 = quantile(sample, 0.25);
        const double q3 = quantile(sample, 0.75);
        const double width = 2.0 * (q3 - q1) / std::cbrt(double(finite));
        if (width > 0) {
            const double bins = std::ceil(2.0 * maxAbs / width);
            const double even = 2.0 * std::ceil(bins / 2.0);
            count = uint32_t(std::clamp(even, double(kMinAutoBins), double(kMaxAutoBins)));
        }
    }
    return {-maxAbs, maxAbs, count};
}

Histogram::Histogram(HistogramBins bins)
    : bins_(HistogramBins::explicitRange(bins.low, bins.high, bins.count)), counts_(bins.count) {}

void Histogram::add(std::span<const float> values) {
    const double low = bins_.low;
    const double high = bins_.high;
    const double scale = double(bins_.count) / (high - low);
    const uint64_t last = bins_.count - 1;
    for (float value : values) {
        const double x = value;
        if (std::isnan(x))
            ++nanCount_;
        else if (x < low)
            ++underflow_;
        else if (x > high)
            ++overflow_;
        else
            ++counts_[std::min(last, uint64_t((x - low) * scale))];
    }
}

void Histogram::merge(const Histogram& other) {
    if (other.bins_.low != bins_.low || other.bins_.high != bins_.high ||
        other.bins_.count != bins_.count)
        throw Error("cannot merge histograms with different bins");
    for (size_t i = 0; i < counts_.size(); ++i)
        counts_[i] += other.counts_[i];
    underflow_ += other.underflow_;
    overflow_ += other.overflow_;
    nanCount_ += other.nanCount_;
}

std::vector<double> Histogram::edges() const {
    std::vector<double> edges(bins_.count + 1);
    const double width = (bins_.high - bins_.low) / double(bins_.count);
    for (uint32_t i = 0; i < bins_.count; ++i)
        edges[i] = bins_.low + double(i) * width;
    edges.back() = bins_.high;
    return edges;
}

uint64_t Histogram::total() const {
    uint64_t sum = underflow_ + overflow_ + nanCount_;
    for (uint64_t count : counts_)
        sum += count;
    return sum;
}

Histogram histogramOf(std::span<const float> values) {
    Histogram histogram(chooseHistogramBins(values));
    histogram.add(values);
    return histogram;
}

} // namespace bitlens
