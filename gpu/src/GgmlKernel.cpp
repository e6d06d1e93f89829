// SPDX-License-Identifier: MIT
#include "GgmlKernel.h"

namespace bitlens {
namespace {
constexpr uint64_t kBlock = 32;
constexpr uint64_t kBlocksPerWorkgroup = 64; // local_size_x of ggml_small.comp
} // namespace

std::unique_ptr<FormatKernel> GgmlKernel::create(const Format& format) {
    const auto* ggml = dynamic_cast<const GgmlFormat*>(&format);
    if (!ggml)
        return nullptr;
    switch (ggml->dtype()) {
    case DType::Q4_0:
    case DType::Q4_1:
    case DType::Q5_0:
    case DType::Q5_1:
    case DType::Q8_0:
        return std::unique_ptr<FormatKernel>(new GgmlKernel("ggml_" + ggml->id()));
    default:
        return nullptr;
    }
}

FormatPushConstants GgmlKernel::pushConstants(MatrixShape chunk) const {
    FormatPushConstants constants;
    constants.rows = uint32_t(chunk.rows);
    constants.rowLength = uint32_t(chunk.rowLength);
    constants.blockLength = uint32_t(kBlock);
    constants.parameters[0] = uint32_t(chunk.elements() / kBlock);
    return constants;
}

uint64_t GgmlKernel::workgroups(MatrixShape chunk) const {
    return (chunk.elements() / kBlock + kBlocksPerWorkgroup - 1) / kBlocksPerWorkgroup;
}

} // namespace bitlens
