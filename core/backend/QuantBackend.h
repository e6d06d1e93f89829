// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/metrics/ErrorMetrics.h"
#include "core/quant/Format.h"

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace bitlens {

// Long work reports progress as (done, total) in units of the callee's choosing; returning false
// asks it to stop, and the callee then throws Cancelled. May be called from worker threads.
using ProgressFn = std::function<bool(uint64_t done, uint64_t total)>;

// One tensor in one format: what every view, evaluator and exporter consumes.
struct QuantizedTensor {
    std::string formatId;
    MatrixShape shape;              // the quantization view (rows = output channels)
    std::vector<std::byte> packed;  // format.packedBytes(shape) bytes
    std::vector<float> dequantized; // shape.elements() values, row-major
    ErrorMetrics metrics;           // dequantized against the original values
};

// Where quantization runs. The CPU reference (core) is the spec; other backends (Vulkan, gpu/)
// must give identical packed bytes and dequantized values, metrics within 1e-6 relative.
class QuantBackend {
public:
    virtual ~QuantBackend() = default;
    virtual std::string name() const = 0;

    // Contract: values are the tensor's finite float32 values in the quantization view
    // (values.size() == shape.elements()) and format.unsupportedReason(shape.rowLength) is empty.
    // Throws Cancelled when progress returns false.
    virtual QuantizedTensor quantize(std::span<const float> values, MatrixShape shape,
                                     const Format& format, const ProgressFn& progress) = 0;
};

} // namespace bitlens
