// SPDX-License-Identifier: MIT
#include "MxKernel.h"

#include <string_view>

namespace bitlens {
namespace {
constexpr uint64_t kBlock = 32;
constexpr uint64_t kBlocksPerWorkgroup = 64; // local_size_x of mx.comp

struct MxVariant {
    std::string_view formatId;
    std::string_view shader;
};
constexpr MxVariant kVariants[] = {
    {"mxfp8-e4m3", "mx_e4m3"}, {"mxfp8-e5m2", "mx_e5m2"}, {"mxfp6-e2m3", "mx_e2m3"},
    {"mxfp6-e3m2", "mx_e3m2"}, {"mxfp4", "mx_e2m1"},      {"mxint8", "mx_int8"},
};
} // namespace

std::unique_ptr<FormatKernel> MxKernel::create(const Format& format) {
    if (format.family() != FormatFamily::Microscaling)
        return nullptr;
    const std::string id = format.id();
    for (const MxVariant& variant : kVariants)
        if (variant.formatId == id)
            return std::unique_ptr<FormatKernel>(new MxKernel(std::string(variant.shader)));
    return nullptr;
}

FormatPushConstants MxKernel::pushConstants(MatrixShape chunk) const {
    FormatPushConstants constants;
    constants.rows = uint32_t(chunk.rows);
    constants.rowLength = uint32_t(chunk.rowLength);
    constants.blockLength = uint32_t(kBlock);
    constants.parameters[0] = uint32_t(chunk.elements() / kBlock);
    return constants;
}

uint64_t MxKernel::workgroups(MatrixShape chunk) const {
    return (chunk.elements() / kBlock + kBlocksPerWorkgroup - 1) / kBlocksPerWorkgroup;
}

} // namespace bitlens
