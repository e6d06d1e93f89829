// SPDX-License-Identifier: MIT
#include "core/backend/FormatBench.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace bitlens {
namespace {

uint64_t splitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double uniform(uint64_t& state) {
    return double(splitMix64(state) >> 11) * 0x1.0p-53;
}

// Seconds of the fastest of `repeats` runs of `work`.
template <typename Work> double bestSeconds(unsigned repeats, Work work) {
    double best = std::numeric_limits<double>::infinity();
    for (unsigned i = 0; i < std::max(1u, repeats); ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        best = std::min(best, elapsed.count());
    }
    return best;
}

} // namespace

std::vector<float> syntheticWeights(uint64_t count, uint64_t seed) {
    std::vector<float> values(count);
    uint64_t state = seed;
    for (uint64_t i = 0; i < count; ++i) {
        // Irwin-Hall with 4 terms: mean 2, variance 1/3.
        const double bell = uniform(state) + uniform(state) + uniform(state) + uniform(state) - 2;
        const double sigma = 0.02 * 1.7320508075688772; // unit variance, then 0.02
        values[i] = float(bell * sigma * (i % 997 == 0 ? 20.0 : 1.0));
    }
    return values;
}

BenchResult benchFormat(const BenchTarget& target, const Format& format,
                        std::span<const float> values, MatrixShape shape, unsigned repeats) {
    BenchResult result;
    result.formatId = format.id();
    result.backendName = target.backend->name();
    result.threads = target.threads;
    result.skipped = format.unsupportedReason(shape.rowLength);
    if (!result.skipped.empty())
        return result;
    const double mebibytes = double(values.size()) * sizeof(float) / double(1 << 20);

    QuantizedTensor quantized;
    const double quantizeSeconds = bestSeconds(
        repeats, [&] { quantized = target.backend->quantize(values, shape, format, nullptr); });
    result.quantizeMiBps = mebibytes / quantizeSeconds;
    if (target.dequantize) {
        std::vector<float> decoded(values.size());
        const double seconds = bestSeconds(
            repeats, [&] { target.dequantize(quantized.packed, shape, format, decoded); });
        result.dequantizeMiBps = mebibytes / seconds;
    }
    return result;
}

} // namespace bitlens
