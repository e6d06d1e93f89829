// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/quant/Format.h"

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

// How the Vulkan backend runs one format on a chunk of whole rows. Every format kernel has the
// same bindings: 0 the float values, 1 the packed bytes of the chunk's rows, 2 the dequantized
// floats. The packed layout must be row-separable: packedBytes({r, n}) == r * packedBytes({1, n}).
class FormatKernel {
public:
    virtual ~FormatKernel() = default;
    virtual std::string shader() const = 0;
    virtual std::vector<uint32_t> specialization() const { return {}; }
    virtual FormatPushConstants pushConstants(MatrixShape chunk) const = 0;
    virtual uint64_t workgroups(MatrixShape chunk) const = 0;
};

// The Vulkan kernel for this format, nullptr when the backend has none yet.
std::unique_ptr<FormatKernel> findFormatKernel(const Format& format);

} // namespace bitlens
