// SPDX-License-Identifier: MIT
#include "core/quant/GgmlFormat.h"

#include "core/quant/FormatRegistry.h"
#include "core/quant/GgmlBlockCodecs.h"
#include "core/util/Error.h"

#include <array>
#include <cmath>
#include <cstdio>

namespace bitlens {
namespace {

// Beyond this magnitude ggml's weighted fits (sums of w * x * l with w = x^2) overflow float.
constexpr float kMaxMagnitude = 68719476736.0f; // 2^36

const DTypeInfo& blockInfo(const ggml::BlockCodec& codec) {
    return dtypeInfo(codec.dtype);
}

uint64_t checkedProduct(uint64_t a, uint64_t b, const std::string& what) {
    uint64_t product = 0;
    if (__builtin_mul_overflow(a, b, &product))
        throw Error(what + " overflows 64 bits");
    return product;
}

} // namespace

GgmlFormat::GgmlFormat(const ggml::BlockCodec& codec) : codec_(codec) {}

std::string GgmlFormat::id() const {
    return std::string(codec_.id);
}

std::string GgmlFormat::description() const {
    const DTypeInfo& info = blockInfo(codec_);
    char bits[32];
    std::snprintf(bits, sizeof bits, "%g", double(info.blockBytes) * 8.0 / info.blockElements);
    return std::string(codec_.description) + " (" + bits + " bits/weight)";
}

DType GgmlFormat::dtype() const {
    return codec_.dtype;
}

uint64_t GgmlFormat::blockLength(uint64_t) const {
    return blockInfo(codec_).blockElements;
}

std::string GgmlFormat::unsupportedReason(uint64_t rowLength) const {
    const DTypeInfo& info = blockInfo(codec_);
    const char* unit = info.blockElements > 32 ? "super-block" : "block";
    if (rowLength == 0 || rowLength % info.blockElements != 0)
        return "row length " + std::to_string(rowLength) + " is not a multiple of the " +
               std::string(info.name) + " " + unit + " of " + std::to_string(info.blockElements);
    return {};
}

uint64_t GgmlFormat::packedBytes(MatrixShape shape) const {
    if (std::string reason = unsupportedReason(shape.rowLength); !reason.empty())
        throw Error(id() + ": " + reason);
    const DTypeInfo& info = blockInfo(codec_);
    const uint64_t blocks =
        checkedProduct(shape.rows, shape.rowLength / info.blockElements,
                       id() + ": block count of " + std::to_string(shape.rows) + " rows");
    return checkedProduct(blocks, info.blockBytes, id() + ": packed size");
}

void GgmlFormat::checkShape(MatrixShape shape, uint64_t floats, uint64_t bytes) const {
    const uint64_t expectedBytes = packedBytes(shape);
    const uint64_t expectedFloats = checkedProduct(shape.rows, shape.rowLength, id() + ": size");
    if (floats != expectedFloats || bytes != expectedBytes)
        throw Error(id() + ": " + std::to_string(shape.rows) + " rows of " +
                    std::to_string(shape.rowLength) + " need " + std::to_string(expectedFloats) +
                    " floats and " + std::to_string(expectedBytes) + " packed bytes, got " +
                    std::to_string(floats) + " and " + std::to_string(bytes));
}

void GgmlFormat::quantize(std::span<const float> src, MatrixShape shape,
                          std::span<std::byte> dst) const {
    checkShape(shape, src.size(), dst.size());
    const DTypeInfo& info = blockInfo(codec_);
    auto* out = reinterpret_cast<uint8_t*>(dst.data());
    std::array<float, ggml::kMaxBlockElements> decoded{};
    for (uint64_t first = 0; first < src.size(); first += info.blockElements) {
        const std::span<const float> values = src.subspan(first, info.blockElements);
        for (size_t i = 0; i < values.size(); ++i)
            if (!(std::fabs(values[i]) <= kMaxMagnitude))
                throw Error(id() + ": value " + std::to_string(first + i) + " (" +
                            std::to_string(values[i]) + ") is not finite or beyond 2^36");
        codec_.encode(values.data(), out);
        // fp16 scales overflow for magnitudes beyond ~65504 times the top level: refuse rather
        // than write blocks that decode to infinity.
        codec_.decode(out, decoded.data());
        for (size_t i = 0; i < values.size(); ++i)
            if (!std::isfinite(decoded[i]))
                throw Error(id() + ": values " + std::to_string(first) + ".." +
                            std::to_string(first + values.size() - 1) +
                            " are too large for its fp16 scales (value " +
                            std::to_string(values[i]) + ")");
        out += info.blockBytes;
    }
}

void GgmlFormat::dequantize(std::span<const std::byte> src, MatrixShape shape,
                            std::span<float> dst) const {
    checkShape(shape, dst.size(), src.size());
    const DTypeInfo& info = blockInfo(codec_);
    const auto* in = reinterpret_cast<const uint8_t*>(src.data());
    for (uint64_t value = 0; value < dst.size(); value += info.blockElements) {
        codec_.decode(in, dst.data() + value);
        in += info.blockBytes;
    }
}

std::shared_ptr<const Format> makeGgmlFormat(std::string_view id) {
    for (const ggml::BlockCodec& codec : ggml::blockCodecs())
        if (codec.id == id)
            return std::make_shared<GgmlFormat>(codec);
    return nullptr;
}

std::vector<std::string> listedGgmlFormatIds() {
    std::vector<std::string> ids;
    for (const ggml::BlockCodec& codec : ggml::blockCodecs())
        ids.emplace_back(codec.id);
    return ids;
}

std::shared_ptr<const Format> formatForGgmlType(DType type) {
    const ggml::BlockCodec* codec = ggml::blockCodecFor(type);
    return codec ? makeFormat(codec->id) : nullptr;
}

} // namespace bitlens
