// SPDX-License-Identifier: MIT
#include "core/quant/Nvfp4Format.h"

#include "core/quant/FormatContract.h"
#include "core/quant/PackedBytes.h"
#include "core/tensor/FloatBits.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace bitlens {
namespace {

constexpr uint64_t kBlockBytes = 1 + Nvfp4Format::kBlock / 2;

float absmaxOf(std::span<const float> values) {
    float amax = 0.0f;
    for (float value : values)
        amax = std::max(amax, std::fabs(value));
    return amax;
}

} // namespace

float nvfp4GlobalScale(float tensorAbsmax) {
    return tensorAbsmax / 2688.0f;
}

uint8_t nvfp4BlockScaleCode(float blockAbsmax, float globalScale) {
    if (!(globalScale > 0.0f))
        return 0;
    return floatToE4m3((blockAbsmax / 6.0f) / globalScale);
}

float nvfp4EffectiveScale(uint8_t blockScaleCode, float globalScale) {
    return e4m3ToFloat(blockScaleCode) * globalScale;
}

std::string Nvfp4Format::description() const {
    return "NVIDIA NVFP4: E2M1, E4M3 scale per block of 16, fp32 scale per tensor";
}

std::string Nvfp4Format::unsupportedReason(uint64_t rowLength) const {
    return rowTilingReason(rowLength, kBlock, "NVFP4 block size");
}

uint64_t Nvfp4Format::packedBytes(MatrixShape shape) const {
    return 4 + shape.elements() / kBlock * kBlockBytes;
}

void Nvfp4Format::quantize(std::span<const float> src, MatrixShape shape,
                           std::span<std::byte> dst) const {
    checkQuantizeArguments(*this, src, shape, dst);
    const float global = nvfp4GlobalScale(absmaxOf(src));
    storeF32(dst.data(), global);
    std::array<uint8_t, kBlock> codes;
    for (uint64_t block = 0; block < src.size() / kBlock; ++block) {
        const std::span<const float> values = src.subspan(block * kBlock, kBlock);
        const uint8_t scaleCode = nvfp4BlockScaleCode(absmaxOf(values), global);
        const float effective = nvfp4EffectiveScale(scaleCode, global);
        for (uint64_t i = 0; i < kBlock; ++i)
            codes[i] = effective > 0.0f ? floatToMinifloat(values[i] / effective, kE2M1) : 0;
        const std::span<std::byte> out = dst.subspan(4 + block * kBlockBytes, kBlockBytes);
        out[0] = std::byte(scaleCode);
        packBitFields(codes, 4, out.subspan(1));
    }
}

float Nvfp4Format::readBlock(std::span<const std::byte> src, uint64_t block,
                             std::span<uint8_t> codes) const {
    const std::span<const std::byte> packed = src.subspan(4 + block * kBlockBytes, kBlockBytes);
    unpackBitFields(packed.subspan(1), 4, codes);
    return nvfp4EffectiveScale(uint8_t(packed[0]), loadF32(src.data()));
}

void Nvfp4Format::dequantize(std::span<const std::byte> src, MatrixShape shape,
                             std::span<float> dst) const {
    checkDequantizeArguments(*this, src, shape, dst);
    std::array<uint8_t, kBlock> codes;
    for (uint64_t block = 0; block < dst.size() / kBlock; ++block) {
        const float effective = readBlock(src, block, codes);
        for (uint64_t i = 0; i < kBlock; ++i)
            dst[block * kBlock + i] = minifloatToFloat(codes[i], kE2M1) * effective;
    }
}

std::optional<BlockCodes> Nvfp4Format::blockCodes(std::span<const std::byte> packed,
                                                  MatrixShape shape, uint64_t row,
                                                  uint64_t block) const {
    checkBlockArguments(*this, packed, shape, row, block);
    const uint64_t index = row * (shape.rowLength / kBlock) + block;
    std::array<uint8_t, kBlock> codes;
    const float effective = readBlock(packed, index, codes);
    BlockCodes result;
    for (uint8_t code = 0; code < 16; ++code)
        result.levels.push_back(minifloatToFloat(code, kE2M1) * effective);
    result.codes.assign(codes.begin(), codes.end());
    result.parameters.emplace_back("global scale", loadF32(packed.data()));
    result.parameters.emplace_back("block scale",
                                   e4m3ToFloat(uint8_t(packed[4 + index * kBlockBytes])));
    result.parameters.emplace_back("scale", effective);
    return result;
}

std::shared_ptr<const Format> makeNvfp4Format(std::string_view id) {
    return id == "nvfp4" ? std::make_shared<Nvfp4Format>() : nullptr;
}

std::vector<std::string> nvfp4FormatIds() {
    return {"nvfp4"};
}

} // namespace bitlens
