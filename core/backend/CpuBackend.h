// SPDX-License-Identifier: MIT
#pragma once

#include "core/backend/QuantBackend.h"

namespace bitlens {

// The CPU reference backend: runs the formats' scalar reference code on all cores.
//
// Splitting rule: a tensor is cut into chunks of whole rows (about kCpuChunkElements values
// each, at least one row) when the format is row-separable, which BitLens takes to mean
// blockLength(rowLength) > 0 (no single per-tensor scale) and packedBytes(rows x L) ==
// rows * packedBytes(1 x L) (rows stored one after another, no per-tensor header and no
// packing across row boundaries). Any other format gets the whole tensor in one call.
// The chunks do not depend on the thread count and metrics are merged in chunk order, so packed
// bytes, dequantized values and metrics are identical for every thread count.
class CpuBackend final : public QuantBackend {
public:
    // threads 0: one per hardware thread.
    explicit CpuBackend(unsigned threads = 0);

    std::string name() const override { return "cpu"; }
    unsigned threads() const { return threads_; }

    // Progress is reported in values done of shape.elements(). Stateless: may be called from
    // several threads at once.
    QuantizedTensor quantize(std::span<const float> values, MatrixShape shape, const Format& format,
                             const ProgressFn& progress) override;

    // Decodes `packed` (format.packedBytes(shape) bytes) into `out` (shape.elements() floats)
    // with the same split as quantize.
    void dequantize(std::span<const std::byte> packed, MatrixShape shape, const Format& format,
                    std::span<float> out) const;

private:
    unsigned threads_;
};

inline constexpr uint64_t kCpuChunkElements = uint64_t(1) << 16;

// The metrics CpuBackend::quantize reports for these values and their dequantized values (the
// same chunks, accumulated and merged in the same order), on `threads` threads. Where output must
// not depend on the device, other backends' results get their metrics from here: theirs agree
// within 1e-6 relative, not to the last bit.
ErrorMetrics referenceMetrics(std::span<const float> values, std::span<const float> dequantized,
                              const Format& format, MatrixShape shape, unsigned threads);

// True when the CPU backend may quantize this format's rows independently (see CpuBackend).
bool rowSeparable(const Format& format, MatrixShape shape);

} // namespace bitlens
