// SPDX-License-Identifier: MIT
#include "NormalFloatKernel.h"

#include "InputWindows.h"
#include "core/quant/NormalFloatFormat.h"

#include <cstring>

namespace bitlens {
namespace {
constexpr uint64_t kBlock = NormalFloatFormat::kBlock;
constexpr uint64_t kBlocksPerWorkgroup = 64; // local_size_x of normal_float.comp
} // namespace

std::unique_ptr<FormatKernel> NormalFloatKernel::create(const Format& format) {
    if (format.family() != FormatFamily::NormalFloat)
        return nullptr;
    const std::string id = format.id();
    for (bool fp4 : {false, true})
        for (bool doubleQuant : {false, true})
            if (id == std::string(fp4 ? "fp4" : "nf4") + (doubleQuant ? "-dq" : ""))
                return std::unique_ptr<FormatKernel>(new NormalFloatKernel(fp4, doubleQuant));
    return nullptr;
}

std::optional<TensorScan> NormalFloatKernel::scan(uint64_t rowLength) const {
    if (!doubleQuant_)
        return std::nullopt;
    TensorScan absmax;
    absmax.specialization = {fp4_, doubleQuant_, true};
    absmax.outputBytesPerRow = rowLength / kBlock * 4;
    return absmax;
}

void NormalFloatKernel::finishScan(std::span<const std::byte> outputs, std::span<const std::byte>) {
    std::vector<float> absmax(outputs.size() / 4);
    std::memcpy(absmax.data(), outputs.data(), absmax.size() * 4);
    DoubleQuantizedAbsmax quantized = doubleQuantizeAbsmax(absmax);
    header_ = std::move(quantized.header);
    decodedAbsmax_ = std::move(quantized.decoded);
}

uint64_t NormalFloatKernel::rowBytes(uint64_t rowLength) const {
    return doubleQuant_ ? rowLength / 2 : 0;
}

std::span<const std::byte> NormalFloatKernel::chunkData(uint64_t firstRow,
                                                        MatrixShape chunk) const {
    if (!doubleQuant_)
        return {};
    const uint64_t first = firstRow * (chunk.rowLength / kBlock);
    return std::as_bytes(std::span(decodedAbsmax_).subspan(first, chunk.elements() / kBlock));
}

FormatPushConstants NormalFloatKernel::pushConstants(MatrixShape chunk) const {
    FormatPushConstants constants;
    constants.rows = uint32_t(chunk.rows);
    constants.rowLength = uint32_t(chunk.rowLength);
    constants.blockLength = uint32_t(kBlock);
    constants.parameters[0] = uint32_t(chunk.elements() / kBlock);
    return constants;
}

uint64_t NormalFloatKernel::workgroups(MatrixShape chunk) const {
    return (chunk.elements() / kBlock + kBlocksPerWorkgroup - 1) / kBlocksPerWorkgroup;
}

uint64_t NormalFloatKernel::inputOctetsPerWorkgroup(uint64_t) const {
    return windowedOctets(kBlock * kBlocksPerWorkgroup / 8);
}

} // namespace bitlens
