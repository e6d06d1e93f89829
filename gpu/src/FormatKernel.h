// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/quant/Format.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bitlens {

// Push constants of every format kernel (32 bytes, the layout `Parameters` in the shaders).
struct FormatPushConstants {
    uint32_t rows = 0;      // rows in this chunk
    uint32_t rowLength = 0; // values per row
    uint32_t blockLength = 0;
    uint32_t parameters[5] = {};
};
static_assert(sizeof(FormatPushConstants) == 32);

// lo = min(0, min v), hi = max(0, max v), absmax = max |v| over a whole tensor, folded with the
// std::min/std::max rules of the CPU reference.
struct TensorRange {
    float lo = 0;
    float hi = 0;
    float absmax = 0;
};

// How the Vulkan backend runs one format on a chunk of whole rows. Every format kernel has the
// same bindings: 0 the float values, 1 the packed bytes of the chunk's rows, 2 the dequantized
// floats. The packed layout must be a header followed by rows of equal size:
// packedBytes({r, n}) == header + r * rowBytes. Made per tensor (it may keep tensor state).
class FormatKernel {
public:
    virtual ~FormatKernel() = default;
    // Formats with one tensor-wide scale return true; the backend then measures the tensor's
    // range first and calls prepare() once, before any pushConstants(). prepare() returns the
    // header bytes that start the packed tensor.
    virtual bool needsTensorRange() const { return false; }
    virtual std::vector<std::byte> prepare(const TensorRange& range) {
        (void)range;
        return {};
    }
    virtual std::string shader() const = 0;
    virtual std::vector<uint32_t> specialization() const { return {}; }
    virtual FormatPushConstants pushConstants(MatrixShape chunk) const = 0;
    virtual uint64_t workgroups(MatrixShape chunk) const = 0;
};

// The Vulkan kernel for this format, nullptr when the backend has none yet.
std::unique_ptr<FormatKernel> findFormatKernel(const Format& format);

} // namespace bitlens
