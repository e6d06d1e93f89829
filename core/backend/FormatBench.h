// SPDX-License-Identifier: MIT
#pragma once

#include "core/backend/QuantBackend.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bitlens {

// Decodes packed bytes of `format` into floats on some device.
using DequantizeFn = std::function<void(std::span<const std::byte> packed, MatrixShape shape,
                                        const Format& format, std::span<float> out)>;

// One backend to time. `dequantize` may be empty: the dequantize column is then not measured.
struct BenchTarget {
    QuantBackend* backend = nullptr;
    unsigned threads = 1; // as reported; the backend decides how it runs
    DequantizeFn dequantize;
};

struct BenchResult {
    std::string formatId;
    std::string backendName;
    unsigned threads = 1;
    // MiB of float32 input per second, best of the repeats. Quantize times the whole
    // QuantBackend::quantize pass (pack, unpack, error metrics), as the studio runs it.
    double quantizeMiBps = 0;
    std::optional<double> dequantizeMiBps;
    std::string skipped; // why the format was not timed (row length unsupported); empty if timed
};

inline constexpr uint64_t kBenchRowLength = 4096;

// Deterministic weight-like values: a bell-shaped bulk (std. dev. about 0.02) with an outlier of
// about 20 sigma every 997 values; the same seed gives the same values everywhere.
std::vector<float> syntheticWeights(uint64_t count, uint64_t seed);

// Times `format` on `target`: quantize and dequantize `values` (shape.elements() of them),
// best of `repeats`.
BenchResult benchFormat(const BenchTarget& target, const Format& format,
                        std::span<const float> values, MatrixShape shape, unsigned repeats);

} // namespace bitlens
