// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/quant/Format.h"
#include "gui/BlockInspector.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace bitlens {

// Blocks of a quantized tensor in the block inspector's numbering: block b is block
// b % blocksPerRow of row b / blocksPerRow, with blocksPerRow = rowLength / blockLength(rowLength)
// (one block per row for per-channel and per-tensor formats).
uint64_t inspectableBlockCount(const Format& format, MatrixShape shape);

// Block `block` of a tensor quantized with `format`: the original values, the codes read from
// `packed` (made by format.quantize from `original`), what they decode to and the block's levels.
// Covers every format that implements Format::blockCodes (integer, NF4/FP4, FP8, MX, NVFP4) and
// ggml q4_0 and q8_0 (decoded here); nullopt for the other formats (the ggml k-quants, IQ4_NL).
// Throws Error when the spans do not fit the shape or the block is out of range.
std::optional<BlockInspection> inspectBlock(const Format& format, std::span<const float> original,
                                            std::span<const std::byte> packed, MatrixShape shape,
                                            uint64_t block);

} // namespace bitlens
