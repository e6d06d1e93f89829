// SPDX-License-Identifier: MIT
#include "core/quant/MicroscalingFormat.h"

#include "core/quant/FormatContract.h"
#include "core/quant/PackedBytes.h"
#include "core/tensor/Rounding.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>

namespace bitlens {
namespace {

constexpr int kNanSharedExponent = 128; // E8M0 byte 0xFF

struct ElementInfo {
    MxElement element;
    const char* id;
    const char* name;
    const MinifloatSpec* spec; // nullptr for INT8
};

constexpr std::array<ElementInfo, 6> kElements = {{
    {MxElement::E4M3, "mxfp8-e4m3", "MXFP8 (E4M3 elements)", &kE4M3},
    {MxElement::E5M2, "mxfp8-e5m2", "MXFP8 (E5M2 elements)", &kE5M2},
    {MxElement::E2M3, "mxfp6-e2m3", "MXFP6 (E2M3 elements)", &kE2M3},
    {MxElement::E3M2, "mxfp6-e3m2", "MXFP6 (E3M2 elements)", &kE3M2},
    {MxElement::E2M1, "mxfp4", "MXFP4 (E2M1 elements)", &kE2M1},
    {MxElement::Int8, "mxint8", "MXINT8 (int8 elements, 2^-6 each)", nullptr},
}};

const ElementInfo& info(MxElement element) {
    return kElements[size_t(element)];
}

int largestNormalExponent(MxElement element) {
    const MinifloatSpec* spec = info(element).spec;
    return spec ? std::ilogb(minifloatMaxFinite(*spec)) : 0;
}

} // namespace

int mxSharedExponent(float amax, MxElement element) {
    if (amax == 0.0f)
        return -127;
    const int exponent = int((std::bit_cast<uint32_t>(amax) >> 23) & 0xffu) - 127;
    return std::clamp(exponent - largestNormalExponent(element), -127, 127);
}

uint8_t mxElementCode(float value, int sharedExponent, MxElement element) {
    const float scaled = std::ldexp(value, -sharedExponent);
    if (const MinifloatSpec* spec = info(element).spec)
        return floatToMinifloat(scaled, *spec);
    const float code = std::clamp(roundHalfToEven(scaled * 64.0f), -127.0f, 127.0f);
    return uint8_t(int8_t(code));
}

float mxElementValue(uint8_t code, int sharedExponent, MxElement element) {
    if (sharedExponent == kNanSharedExponent)
        return std::numeric_limits<float>::quiet_NaN();
    if (const MinifloatSpec* spec = info(element).spec)
        return std::ldexp(minifloatToFloat(code, *spec), sharedExponent);
    return std::ldexp(float(int8_t(code)), sharedExponent - 6);
}

std::string MicroscalingFormat::id() const {
    return info(element_).id;
}

std::string MicroscalingFormat::description() const {
    return std::string("OCP ") + info(element_).name + ", E8M0 scale per block of 32";
}

std::string MicroscalingFormat::unsupportedReason(uint64_t rowLength) const {
    return rowTilingReason(rowLength, kBlock, "MX block size");
}

unsigned MicroscalingFormat::elementBits() const {
    const MinifloatSpec* spec = info(element_).spec;
    return spec ? unsigned(1 + spec->exponentBits + spec->mantissaBits) : 8u;
}

uint64_t MicroscalingFormat::blockBytes() const {
    return 1 + bitFieldBytes(kBlock, elementBits());
}

uint64_t MicroscalingFormat::packedBytes(MatrixShape shape) const {
    return shape.elements() / kBlock * blockBytes();
}

void MicroscalingFormat::quantize(std::span<const float> src, MatrixShape shape,
                                  std::span<std::byte> dst) const {
    checkQuantizeArguments(*this, src, shape, dst);
    std::array<uint8_t, kBlock> codes;
    for (uint64_t block = 0; block < src.size() / kBlock; ++block) {
        const std::span<const float> values = src.subspan(block * kBlock, kBlock);
        float amax = 0.0f;
        for (float value : values)
            amax = std::max(amax, std::fabs(value));
        const int sharedExponent = mxSharedExponent(amax, element_);
        for (uint64_t i = 0; i < kBlock; ++i)
            codes[i] = mxElementCode(values[i], sharedExponent, element_);
        const std::span<std::byte> out = dst.subspan(block * blockBytes(), blockBytes());
        out[0] = std::byte(uint8_t(sharedExponent + 127));
        packBitFields(codes, elementBits(), out.subspan(1));
    }
}

int MicroscalingFormat::readBlock(std::span<const std::byte> src, uint64_t block,
                                  std::span<uint8_t> codes) const {
    const std::span<const std::byte> packed = src.subspan(block * blockBytes(), blockBytes());
    unpackBitFields(packed.subspan(1), elementBits(), codes);
    return int(uint8_t(packed[0])) - 127;
}

void MicroscalingFormat::dequantize(std::span<const std::byte> src, MatrixShape shape,
                                    std::span<float> dst) const {
    checkDequantizeArguments(*this, src, shape, dst);
    std::array<uint8_t, kBlock> codes;
    for (uint64_t block = 0; block < dst.size() / kBlock; ++block) {
        const int sharedExponent = readBlock(src, block, codes);
        for (uint64_t i = 0; i < kBlock; ++i)
            dst[block * kBlock + i] = mxElementValue(codes[i], sharedExponent, element_);
    }
}

std::optional<BlockCodes> MicroscalingFormat::blockCodes(std::span<const std::byte> packed,
                                                         MatrixShape shape, uint64_t row,
                                                         uint64_t block) const {
    checkBlockArguments(*this, packed, shape, row, block);
    std::array<uint8_t, kBlock> codes;
    const int sharedExponent = readBlock(packed, row * (shape.rowLength / kBlock) + block, codes);
    BlockCodes result;
    for (uint32_t code = 0; code < (1u << elementBits()); ++code)
        result.levels.push_back(mxElementValue(uint8_t(code), sharedExponent, element_));
    result.codes.assign(codes.begin(), codes.end());
    result.parameters.emplace_back("shared exponent", sharedExponent);
    result.parameters.emplace_back("scale", sharedExponent == kNanSharedExponent
                                                ? std::numeric_limits<double>::quiet_NaN()
                                                : std::ldexp(1.0, sharedExponent));
    return result;
}

std::shared_ptr<const Format> makeMicroscalingFormat(std::string_view id) {
    for (const ElementInfo& element : kElements)
        if (id == element.id)
            return std::make_shared<MicroscalingFormat>(element.element);
    return nullptr;
}

std::vector<std::string> microscalingFormatIds() {
    std::vector<std::string> ids;
    for (const ElementInfo& element : kElements)
        ids.emplace_back(element.id);
    return ids;
}

} // namespace bitlens
