// SPDX-License-Identifier: MIT
#include "core/quant/NormalFloatFormat.h"

#include "core/quant/FormatContract.h"
#include "core/quant/PackedBytes.h"
#include "core/tensor/FloatBits.h"
#include "core/tensor/Rounding.h"

#include <algorithm>
#include <cmath>

namespace bitlens {

const std::array<float, 16> kNf4Levels = {
    -1.0f,
    -0.6961928009986877f,
    -0.5250730514526367f,
    -0.39491748809814453f,
    -0.28444138169288635f,
    -0.18477343022823334f,
    -0.09105003625154495f,
    0.0f,
    0.07958029955625534f,
    0.16093020141124725f,
    0.24611230194568634f,
    0.33791524171829224f,
    0.44070982933044434f,
    0.5626170039176941f,
    0.7229568362236023f,
    1.0f,
};

namespace {

constexpr uint64_t kCodeBytesPerBlock = NormalFloatFormat::kBlock / 2;

uint8_t zeroCode(FourBitKind kind) {
    return kind == FourBitKind::NF4 ? 7 : 0;
}

uint64_t chunkCount(uint64_t blocks) {
    return (blocks + NormalFloatFormat::kChunk - 1) / NormalFloatFormat::kChunk;
}

float doubleQuantDecode(int8_t code, float chunkScale, float mean) {
    const float product = float(code) * chunkScale;
    return product + mean;
}

void encodeBlock(std::span<const float> values, float absmax, FourBitKind kind, std::byte* codes) {
    for (uint64_t pair = 0; pair < kCodeBytesPerBlock; ++pair) {
        uint8_t nibbles[2];
        for (int half = 0; half < 2; ++half)
            nibbles[half] = absmax > 0.0f ? fourBitCode(values[2 * pair + half] / absmax, kind)
                                          : zeroCode(kind);
        codes[pair] = std::byte((nibbles[0] << 4) | nibbles[1]);
    }
}

uint8_t codeAt(const std::byte* codes, uint64_t index) {
    const uint8_t byte = uint8_t(codes[index / 2]);
    return index % 2 == 0 ? uint8_t(byte >> 4) : uint8_t(byte & 0x0fu);
}

} // namespace

uint8_t fourBitCode(float normalised, FourBitKind kind) {
    if (kind == FourBitKind::FP4)
        return floatToMinifloat(normalised * 6.0f, kE2M1);
    uint8_t code = 0;
    for (size_t i = 0; i + 1 < kNf4Levels.size(); ++i)
        if (normalised > (kNf4Levels[i] + kNf4Levels[i + 1]) * 0.5f)
            ++code;
    return code;
}

float fourBitLevel(uint8_t code, FourBitKind kind) {
    if (kind == FourBitKind::FP4)
        return minifloatToFloat(code, kE2M1) / 6.0f;
    return kNf4Levels[code & 0x0fu];
}

DoubleQuantizedAbsmax doubleQuantizeAbsmax(std::span<const float> absmax) {
    const uint64_t blocks = absmax.size();
    const uint64_t chunks = chunkCount(blocks);
    DoubleQuantizedAbsmax result;
    result.header.resize(4 + 4 * chunks + blocks);
    result.decoded.resize(blocks);
    float sum = 0.0f;
    for (float value : absmax)
        sum = sum + value;
    const float mean = blocks > 0 ? sum / float(blocks) : 0.0f;
    storeF32(result.header.data(), mean);
    for (uint64_t chunk = 0; chunk < chunks; ++chunk) {
        const uint64_t first = chunk * NormalFloatFormat::kChunk;
        const uint64_t last = std::min(first + NormalFloatFormat::kChunk, blocks);
        float largest = 0.0f;
        for (uint64_t block = first; block < last; ++block)
            largest = std::max(largest, std::fabs(absmax[block] - mean));
        const float chunkScale = largest / 127.0f;
        storeF32(result.header.data() + 4 + 4 * chunk, chunkScale);
        for (uint64_t block = first; block < last; ++block) {
            int8_t code = 0;
            if (chunkScale > 0.0f)
                code = int8_t(std::clamp(roundHalfAwayFromZero((absmax[block] - mean) / chunkScale),
                                         -127.0f, 127.0f));
            result.header[4 + 4 * chunks + block] = std::byte(uint8_t(code));
            result.decoded[block] = doubleQuantDecode(code, chunkScale, mean);
        }
    }
    return result;
}

std::string NormalFloatFormat::id() const {
    return std::string(kind_ == FourBitKind::NF4 ? "nf4" : "fp4") + (doubleQuant_ ? "-dq" : "");
}

std::string NormalFloatFormat::description() const {
    std::string text = kind_ == FourBitKind::NF4 ? "bitsandbytes NF4 (4-bit NormalFloat)"
                                                 : "bitsandbytes-style FP4 (E2M1 / 6)";
    text += ", absmax per block of 64";
    text += doubleQuant_ ? ", absmax double-quantized to int8 per 256 blocks" : " in fp32";
    return text;
}

std::string NormalFloatFormat::unsupportedReason(uint64_t rowLength) const {
    return rowTilingReason(rowLength, kBlock, "block size");
}

uint64_t NormalFloatFormat::packedBytes(MatrixShape shape) const {
    const uint64_t blocks = shape.elements() / kBlock;
    if (!doubleQuant_)
        return blocks * (4 + kCodeBytesPerBlock);
    return 4 + 4 * chunkCount(blocks) + blocks + blocks * kCodeBytesPerBlock;
}

NormalFloatFormat::BlockPlace NormalFloatFormat::place(uint64_t blocks, uint64_t block) const {
    if (!doubleQuant_)
        return {block * (4 + kCodeBytesPerBlock), block * (4 + kCodeBytesPerBlock) + 4};
    const uint64_t qOffset = 4 + 4 * chunkCount(blocks);
    return {qOffset + block, qOffset + blocks + block * kCodeBytesPerBlock};
}

std::vector<float> NormalFloatFormat::decodedAbsmax(std::span<const std::byte> src,
                                                    uint64_t blocks) const {
    std::vector<float> absmax(blocks);
    const float mean = doubleQuant_ ? loadF32(src.data()) : 0.0f;
    for (uint64_t block = 0; block < blocks; ++block) {
        const std::byte* scale = src.data() + place(blocks, block).scaleOffset;
        absmax[block] =
            doubleQuant_ ? doubleQuantDecode(int8_t(*scale),
                                             loadF32(src.data() + 4 + 4 * (block / kChunk)), mean)
                         : loadF32(scale);
    }
    return absmax;
}

void NormalFloatFormat::quantize(std::span<const float> src, MatrixShape shape,
                                 std::span<std::byte> dst) const {
    checkQuantizeArguments(*this, src, shape, dst);
    const uint64_t blocks = src.size() / kBlock;
    std::vector<float> absmax(blocks, 0.0f);
    for (uint64_t block = 0; block < blocks; ++block)
        for (uint64_t i = 0; i < kBlock; ++i)
            absmax[block] = std::max(absmax[block], std::fabs(src[block * kBlock + i]));

    if (doubleQuant_) {
        DoubleQuantizedAbsmax quantized = doubleQuantizeAbsmax(absmax);
        std::copy(quantized.header.begin(), quantized.header.end(), dst.begin());
        absmax = std::move(quantized.decoded);
    } else {
        for (uint64_t block = 0; block < blocks; ++block)
            storeF32(dst.data() + place(blocks, block).scaleOffset, absmax[block]);
    }
    for (uint64_t block = 0; block < blocks; ++block)
        encodeBlock(src.subspan(block * kBlock, kBlock), absmax[block], kind_,
                    dst.data() + place(blocks, block).codesOffset);
}

void NormalFloatFormat::dequantize(std::span<const std::byte> src, MatrixShape shape,
                                   std::span<float> dst) const {
    checkDequantizeArguments(*this, src, shape, dst);
    const uint64_t blocks = dst.size() / kBlock;
    const std::vector<float> absmax = decodedAbsmax(src, blocks);
    for (uint64_t block = 0; block < blocks; ++block) {
        const std::byte* codes = src.data() + place(blocks, block).codesOffset;
        for (uint64_t i = 0; i < kBlock; ++i)
            dst[block * kBlock + i] = fourBitLevel(codeAt(codes, i), kind_) * absmax[block];
    }
}

std::optional<BlockCodes> NormalFloatFormat::blockCodes(std::span<const std::byte> packed,
                                                        MatrixShape shape, uint64_t row,
                                                        uint64_t block) const {
    checkBlockArguments(*this, packed, shape, row, block);
    const uint64_t blocks = shape.elements() / kBlock;
    const uint64_t index = row * (shape.rowLength / kBlock) + block;
    const float absmax = decodedAbsmax(packed, blocks)[index];
    BlockCodes result;
    for (uint8_t code = 0; code < 16; ++code)
        result.levels.push_back(fourBitLevel(code, kind_) * absmax);
    const std::byte* codes = packed.data() + place(blocks, index).codesOffset;
    for (uint64_t i = 0; i < kBlock; ++i)
        result.codes.push_back(codeAt(codes, i));
    result.parameters.emplace_back("absmax", absmax);
    return result;
}

std::shared_ptr<const Format> makeNormalFloatFormat(std::string_view id) {
    for (FourBitKind kind : {FourBitKind::NF4, FourBitKind::FP4})
        for (bool doubleQuant : {false, true})
            if (auto format = std::make_shared<NormalFloatFormat>(kind, doubleQuant);
                format->id() == id)
                return format;
    return nullptr;
}

std::vector<std::string> normalFloatFormatIds() {
    return {"nf4", "nf4-dq", "fp4", "fp4-dq"};
}

} // namespace bitlens
