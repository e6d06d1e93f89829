// SPDX-License-Identifier: MIT
#include "Nvfp4Kernel.h"

#include "InputWindows.h"
#include "core/quant/PackedBytes.h"

#include <bit>

namespace bitlens {
namespace {
constexpr uint64_t kBlock = 16;
constexpr uint64_t kBlocksPerWorkgroup = 64; // local_size_x of nvfp4.comp
} // namespace

std::unique_ptr<FormatKernel> Nvfp4Kernel::create(const Format& format) {
    if (format.family() != FormatFamily::Microscaling || format.id() != "nvfp4")
        return nullptr;
    return std::unique_ptr<FormatKernel>(new Nvfp4Kernel());
}

void Nvfp4Kernel::prepare(const TensorRange& range) {
    globalScale_ = range.absmax / 2688.0f; // nvfp4GlobalScale: 6 (E2M1 max) * 448 (E4M3 max)
}

std::vector<std::byte> Nvfp4Kernel::header() const {
    std::vector<std::byte> bytes(4);
    storeF32(bytes.data(), globalScale_);
    return bytes;
}

FormatPushConstants Nvfp4Kernel::pushConstants(MatrixShape chunk) const {
    FormatPushConstants constants;
    constants.rows = uint32_t(chunk.rows);
    constants.rowLength = uint32_t(chunk.rowLength);
    constants.blockLength = uint32_t(kBlock);
    constants.parameters[0] = uint32_t(chunk.elements() / kBlock);
    constants.parameters[1] = std::bit_cast<uint32_t>(globalScale_);
    return constants;
}

uint64_t Nvfp4Kernel::workgroups(MatrixShape chunk) const {
    return (chunk.elements() / kBlock + kBlocksPerWorkgroup - 1) / kBlocksPerWorkgroup;
}

uint64_t Nvfp4Kernel::inputOctetsPerWorkgroup(uint64_t) const {
    return windowedOctets(kBlock * kBlocksPerWorkgroup / 8);
}

} // namespace bitlens
