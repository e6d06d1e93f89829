// SPDX-License-Identifier: MIT
#include "Float8Kernel.h"

#include "InputWindows.h"
#include "core/quant/PackedBytes.h"

#include <bit>

namespace bitlens {

std::unique_ptr<FormatKernel> Float8Kernel::create(const Format& format) {
    if (format.family() != FormatFamily::Float8)
        return nullptr;
    const std::string id = format.id();
    for (bool e4m3 : {true, false})
        for (bool perChannel : {true, false})
            if (id == std::string(e4m3 ? "fp8-e4m3" : "fp8-e5m2") + (perChannel ? "-ch" : ""))
                return std::unique_ptr<FormatKernel>(new Float8Kernel(e4m3, perChannel));
    return nullptr;
}

void Float8Kernel::prepare(const TensorRange& range) {
    // Float8Format: scale = max |v| / maxFinite, stored little-endian before the codes.
    tensorScale_ = range.absmax / (e4m3_ ? 448.0f : 57344.0f);
}

std::vector<std::byte> Float8Kernel::header() const {
    if (perChannel_)
        return {};
    std::vector<std::byte> bytes(4);
    storeF32(bytes.data(), tensorScale_);
    return bytes;
}

FormatPushConstants Float8Kernel::pushConstants(MatrixShape chunk) const {
    FormatPushConstants constants;
    constants.rows = uint32_t(chunk.rows);
    constants.rowLength = uint32_t(chunk.rowLength);
    constants.blockLength = uint32_t(chunk.rowLength);
    constants.parameters[0] = std::bit_cast<uint32_t>(tensorScale_);
    return constants;
}

// One workgroup per row.
uint64_t Float8Kernel::inputOctetsPerWorkgroup(uint64_t rowLength) const {
    return rowLength % 8 == 0 ? windowedOctets(rowLength / 8) : 0;
}

} // namespace bitlens
