// SPDX-License-Identifier: MIT
#include "gui/InspectBlock.h"

#include "core/tensor/FloatBits.h"
#include "core/util/Error.h"

#include <QStringList>
#include <string>

namespace bitlens {

namespace {

constexpr uint64_t kGgmlBlockValues = 32;

uint64_t blocksPerRow(const Format& format, uint64_t rowLength) {
    const uint64_t length = format.blockLength(rowLength);
    return length == 0 || length >= rowLength ? 1 : rowLength / length;
}

// ggml's fp16 block scale `d`, stored little-endian at the start of the block.
float blockScale(std::span<const std::byte> block) {
    return halfToFloat(uint16_t(uint16_t(block[0]) | uint16_t(uint16_t(block[1]) << 8)));
}

// Q4_0: d, then 16 bytes; byte j holds value j in its low nibble and value j + 16 in its high
// nibble; value = (nibble - 8) * d.
void decodeQ4_0(std::span<const std::byte> block, BlockInspection& out) {
    const float d = blockScale(block);
    for (uint64_t i = 0; i < kGgmlBlockValues; ++i) {
        const auto byte = uint8_t(block[2 + i % 16]);
        const int code = i < 16 ? byte & 0x0F : byte >> 4;
        out.codes.push_back(code);
        out.dequantized.push_back(float(code - 8) * d);
    }
    for (int code = 0; code < 16; ++code)
        out.levels.push_back(float(code - 8) * d);
    out.scaleText = BlockInspector::tr("d = %1 (fp16);  value = (code \u2212 8) \u00d7 d")
                        .arg(double(d), 0, 'g', 6);
}

// Q8_0: d, then 32 signed bytes; value = code * d.
void decodeQ8_0(std::span<const std::byte> block, BlockInspection& out) {
    const float d = blockScale(block);
    for (uint64_t i = 0; i < kGgmlBlockValues; ++i) {
        const auto code = int8_t(uint8_t(block[2 + i]));
        out.codes.push_back(code);
        out.dequantized.push_back(float(code) * d);
    }
    for (int code = -128; code < 128; ++code)
        out.levels.push_back(float(code) * d);
    out.scaleText =
        BlockInspector::tr("d = %1 (fp16);  value = code \u00d7 d").arg(double(d), 0, 'g', 6);
}

// The block as the format describes it through Format::blockCodes.
std::optional<BlockInspection> fromBlockCodes(const Format& format, std::span<const float> original,
                                              std::span<const std::byte> packed, MatrixShape shape,
                                              uint64_t block) {
    const uint64_t perRow = blocksPerRow(format, shape.rowLength);
    const uint64_t row = block / perRow;
    const uint64_t blockInRow = block % perRow;
    const std::optional<BlockCodes> described = format.blockCodes(packed, shape, row, blockInRow);
    if (!described)
        return std::nullopt;
    const uint64_t length = shape.rowLength / perRow;
    BlockInspection inspection;
    const auto values = original.subspan(row * shape.rowLength + blockInRow * length, length);
    inspection.values.assign(values.begin(), values.end());
    if (described->codes.size() != length)
        throw Error("block inspector: " + format.id() + " described " +
                    std::to_string(described->codes.size()) + " codes for a block of " +
                    std::to_string(length));
    for (uint32_t code : described->codes) {
        if (code >= described->levels.size())
            throw Error("block inspector: " + format.id() + " code " + std::to_string(code) +
                        " has no level");
        inspection.codes.push_back(code);
        inspection.dequantized.push_back(described->levels[code]);
    }
    inspection.levels = described->levels;
    QStringList fields;
    for (const auto& [name, value] : described->parameters)
        fields.push_back(
            QStringLiteral("%1 = %2").arg(QString::fromStdString(name)).arg(value, 0, 'g', 7));
    inspection.scaleText = fields.join(QStringLiteral(";  "));
    return inspection;
}

} // namespace

uint64_t inspectableBlockCount(const Format& format, MatrixShape shape) {
    return shape.rows * blocksPerRow(format, shape.rowLength);
}

std::optional<BlockInspection> inspectBlock(const Format& format, std::span<const float> original,
                                            std::span<const std::byte> packed, MatrixShape shape,
                                            uint64_t block) {
    const std::string id = format.id();
    if (original.size() != shape.elements() || packed.size() != format.packedBytes(shape))
        throw Error("block inspector: " + std::to_string(original.size()) + " values and " +
                    std::to_string(packed.size()) + " packed bytes do not fit a " +
                    std::to_string(shape.rows) + " x " + std::to_string(shape.rowLength) + " " +
                    id + " tensor");
    const uint64_t count = inspectableBlockCount(format, shape);
    if (block >= count)
        throw Error("block inspector: block " + std::to_string(block) + " of " +
                    std::to_string(count));
    if (auto described = fromBlockCodes(format, original, packed, shape, block))
        return described;
    const bool q4 = id == "q4_0";
    if (!q4 && id != "q8_0")
        return std::nullopt;
    const uint64_t blockBytes = format.packedBytes({1, kGgmlBlockValues});
    BlockInspection inspection;
    const auto values = original.subspan(block * kGgmlBlockValues, kGgmlBlockValues);
    inspection.values.assign(values.begin(), values.end());
    const auto bytes = packed.subspan(block * blockBytes, blockBytes);
    if (q4)
        decodeQ4_0(bytes, inspection);
    else
        decodeQ8_0(bytes, inspection);
    return inspection;
}

} // namespace bitlens
