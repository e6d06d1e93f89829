// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/Format.h"

// Argument checks shared by the reference formats: a wrong size or an unsupported row length
// throws Error naming the format instead of reading or writing out of bounds.
namespace bitlens {

// unsupportedReason for formats whose blocks of `blockLength` values tile a row:
// "" or "row length 100 is not a multiple of the group size 32" (`blockName` = "group size").
std::string rowTilingReason(uint64_t rowLength, uint64_t blockLength, const std::string& blockName);

void checkQuantizeArguments(const Format& format, std::span<const float> src, MatrixShape shape,
                            std::span<std::byte> dst);
void checkDequantizeArguments(const Format& format, std::span<const std::byte> src,
                              MatrixShape shape, std::span<float> dst);
// For blockCodes: checks the packed size and that row/block exist; returns the block length
// (the row length for formats with blockLength 0).
uint64_t checkBlockArguments(const Format& format, std::span<const std::byte> packed,
                             MatrixShape shape, uint64_t row, uint64_t block);

} // namespace bitlens
