// SPDX-License-Identifier: MIT
#include "Float8Kernel.h"

namespace bitlens {

std::unique_ptr<FormatKernel> Float8Kernel::create(const Format& format) {
    if (format.family() != FormatFamily::Float8)
        return nullptr;
    const std::string id = format.id();
    if (id == "fp8-e4m3-ch")
        return std::unique_ptr<FormatKernel>(new Float8Kernel("fp8_e4m3"));
    if (id == "fp8-e5m2-ch")
        return std::unique_ptr<FormatKernel>(new Float8Kernel("fp8_e5m2"));
    return nullptr;
}

FormatPushConstants Float8Kernel::pushConstants(MatrixShape chunk) const {
    FormatPushConstants constants;
    constants.rows = uint32_t(chunk.rows);
    constants.rowLength = uint32_t(chunk.rowLength);
    constants.blockLength = uint32_t(chunk.rowLength);
    return constants;
}

} // namespace bitlens
