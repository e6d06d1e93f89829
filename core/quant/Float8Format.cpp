// SPDX-License-Identifier: MIT
#include "core/quant/Float8Format.h"

#include "core/quant/FormatContract.h"
#include "core/quant/PackedBytes.h"

#include <algorithm>
#include <cmath>

namespace bitlens {

std::string Float8Format::id() const {
    return std::string(e4m3_ ? "fp8-e4m3" : "fp8-e5m2") + (perChannel_ ? "-ch" : "");
}

std::string Float8Format::description() const {
    return std::string("OCP FP8 ") + (e4m3_ ? "E4M3" : "E5M2") + " with an fp32 scale per " +
           (perChannel_ ? "output channel" : "tensor");
}

std::string Float8Format::unsupportedReason(uint64_t rowLength) const {
    return rowTilingReason(rowLength, 1, "block");
}

uint64_t Float8Format::packedBytes(MatrixShape shape) const {
    return shape.elements() + 4 * (perChannel_ ? shape.rows : 1);
}

uint64_t Float8Format::scaleOffset(MatrixShape shape, uint64_t row) const {
    return perChannel_ ? row * (4 + shape.rowLength) : 0;
}

uint64_t Float8Format::codesOffset(MatrixShape shape, uint64_t row) const {
    return perChannel_ ? row * (4 + shape.rowLength) + 4 : 4 + row * shape.rowLength;
}

void Float8Format::quantize(std::span<const float> src, MatrixShape shape,
                            std::span<std::byte> dst) const {
    checkQuantizeArguments(*this, src, shape, dst);
    const uint64_t units = perChannel_ ? shape.rows : 1;
    const uint64_t unitLength = perChannel_ ? shape.rowLength : src.size();
    for (uint64_t unit = 0; unit < units; ++unit) {
        const std::span<const float> values = src.subspan(unit * unitLength, unitLength);
        float absmax = 0.0f;
        for (float value : values)
            absmax = std::max(absmax, std::fabs(value));
        const float scale = absmax / minifloatMaxFinite(spec());
        const uint64_t firstRow = perChannel_ ? unit : 0;
        storeF32(dst.data() + scaleOffset(shape, firstRow), scale);
        std::byte* codes = dst.data() + codesOffset(shape, firstRow);
        for (uint64_t i = 0; i < values.size(); ++i)
            codes[i] = std::byte(scale > 0.0f ? floatToMinifloat(values[i] / scale, spec()) : 0);
    }
}

void Float8Format::dequantize(std::span<const std::byte> src, MatrixShape shape,
                              std::span<float> dst) const {
    checkDequantizeArguments(*this, src, shape, dst);
    for (uint64_t row = 0; row < shape.rows; ++row) {
        const float scale = loadF32(src.data() + scaleOffset(shape, row));
        const std::byte* codes = src.data() + codesOffset(shape, row);
        for (uint64_t i = 0; i < shape.rowLength; ++i)
            dst[row * shape.rowLength + i] = minifloatToFloat(uint8_t(codes[i]), spec()) * scale;
    }
}

std::optional<BlockCodes> Float8Format::blockCodes(std::span<const std::byte> packed,
                                                   MatrixShape shape, uint64_t row,
                                                   uint64_t block) const {
    checkBlockArguments(*this, packed, shape, row, block);
    const float scale = loadF32(packed.data() + scaleOffset(shape, row));
    BlockCodes result;
    for (uint32_t code = 0; code < 256; ++code)
        result.levels.push_back(minifloatToFloat(uint8_t(code), spec()) * scale);
    const std::byte* codes = packed.data() + codesOffset(shape, row);
    for (uint64_t i = 0; i < shape.rowLength; ++i)
        result.codes.push_back(uint8_t(codes[i]));
    result.parameters.emplace_back("scale", scale);
    return result;
}

std::shared_ptr<const Format> makeFloat8Format(std::string_view id) {
    for (bool e4m3 : {true, false})
        for (bool perChannel : {false, true})
            if (auto format = std::make_shared<Float8Format>(e4m3, perChannel); format->id() == id)
                return format;
    return nullptr;
}

std::vector<std::string> float8FormatIds() {
    return {"fp8-e4m3", "fp8-e4m3-ch", "fp8-e5m2", "fp8-e5m2-ch"};
}

} // namespace bitlens
