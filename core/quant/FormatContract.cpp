// SPDX-License-Identifier: MIT
#include "core/quant/FormatContract.h"

#include "core/util/Error.h"

namespace bitlens {
namespace {

void checkShape(const Format& format, MatrixShape shape) {
    if (std::string reason = format.unsupportedReason(shape.rowLength); !reason.empty())
        throw Error(format.id() + ": " + reason);
}

void checkSize(const Format& format, const char* what, uint64_t actual, uint64_t expected) {
    if (actual != expected)
        throw Error(format.id() + ": " + what + " holds " + std::to_string(actual) +
                    " elements, expected " + std::to_string(expected));
}

} // namespace

std::string rowTilingReason(uint64_t rowLength, uint64_t blockLength,
                            const std::string& blockName) {
    if (rowLength == 0)
        return "row length 0: nothing to quantize";
    if (rowLength % blockLength != 0)
        return "row length " + std::to_string(rowLength) + " is not a multiple of the " +
               blockName + " " + std::to_string(blockLength);
    return {};
}

void checkQuantizeArguments(const Format& format, std::span<const float> src, MatrixShape shape,
                            std::span<std::byte> dst) {
    checkShape(format, shape);
    checkSize(format, "source", src.size(), shape.elements());
    checkSize(format, "packed destination", dst.size(), format.packedBytes(shape));
}

void checkDequantizeArguments(const Format& format, std::span<const std::byte> src,
                              MatrixShape shape, std::span<float> dst) {
    checkShape(format, shape);
    checkSize(format, "packed source", src.size(), format.packedBytes(shape));
    checkSize(format, "destination", dst.size(), shape.elements());
}

uint64_t checkBlockArguments(const Format& format, std::span<const std::byte> packed,
                             MatrixShape shape, uint64_t row, uint64_t block) {
    checkShape(format, shape);
    checkSize(format, "packed tensor", packed.size(), format.packedBytes(shape));
    const uint64_t length = format.blockLength(shape.rowLength);
    const uint64_t blockLength = length == 0 ? shape.rowLength : length;
    const uint64_t blocksPerRow = shape.rowLength / blockLength;
    if (row >= shape.rows || block >= blocksPerRow)
        throw Error(format.id() + ": block " + std::to_string(block) + " of row " +
                    std::to_string(row) + " does not exist (" + std::to_string(shape.rows) +
                    " rows of " + std::to_string(blocksPerRow) + " blocks)");
    return blockLength;
}

} // namespace bitlens
