// SPDX-License-Identifier: MIT
#pragma once

#include "core/tensor/MatrixShape.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace bitlens {

enum class FormatFamily : uint8_t {
    Integer,      // int2..int8, per tensor / channel / group, symmetric or with a zero point
    NormalFloat,  // NF4, FP4 (E2M1) with bitsandbytes blocking
    Float8,       // FP8 E4M3 / E5M2 with an fp32 scale
    Microscaling, // OCP MX formats and NVFP4
    GgmlBlock,    // llama.cpp block formats, bit-compatible with ggml
};

// One block of one row as the studio's block inspector and level overlay show it.
// Invariant: the dequantized value of element i of the block is exactly levels[codes[i]].
struct BlockCodes {
    // levels[c]: the dequantized value of code c for c = 0 .. 2^bits - 1, including codes that
    // quantize never writes (negative zero, NaN, infinity): filter before drawing.
    std::vector<float> levels;
    // The stored code of each value of the block, in row order.
    std::vector<uint32_t> codes;
    // The block's decoded scale fields by name, e.g. {"scale", 0.0123}, {"zero", 7}.
    std::vector<std::pair<std::string, double>> parameters;
};

// One number format: the scalar CPU reference that is the spec for every other backend.
// Packed layout: rows (output channels) one after another unless the format says otherwise in
// its own header comment; per-tensor fields (e.g. an fp32 tensor scale) come first.
class Format {
public:
    virtual ~Format() = default;

    virtual std::string id() const = 0;          // stable id: "int4-g128-sym", "q4_k", ...
    virtual std::string description() const = 0; // one line for `bitlens-cli formats`
    virtual FormatFamily family() const = 0;

    // Values that share one scale: the group/block length, rowLength for per-channel formats,
    // 0 for a single per-tensor scale.
    virtual uint64_t blockLength(uint64_t rowLength) const = 0;

    // Empty when the format applies to rows of this length; otherwise the reason, for the user
    // ("row length 172 is not a multiple of the Q4_K super-block of 256").
    virtual std::string unsupportedReason(uint64_t rowLength) const = 0;

    // Exact packed size: every code, scale, zero point and super-block field.
    virtual uint64_t packedBytes(MatrixShape shape) const = 0;
    double bitsPerWeight(MatrixShape shape) const {
        return double(packedBytes(shape)) * 8.0 / double(shape.elements());
    }

    // Contract: unsupportedReason(shape.rowLength) is empty; src holds shape.elements() finite
    // floats, row-major (row = output channel); dst holds packedBytes(shape) bytes.
    virtual void quantize(std::span<const float> src, MatrixShape shape,
                          std::span<std::byte> dst) const = 0;
    // Contract: src holds packedBytes(shape) bytes made by quantize (or read from a file);
    // dst holds shape.elements() floats.
    virtual void dequantize(std::span<const std::byte> src, MatrixShape shape,
                            std::span<float> dst) const = 0;

    // The codes, levels and scale fields of block `block` (counted in blockLength(rowLength)
    // values, the whole row when that is 0) of row `row` of a packed tensor made by quantize.
    // nullopt (the default) when the format does not describe its blocks this way. Formats that
    // implement it throw Error for a row/block out of range or a wrong packed size.
    virtual std::optional<BlockCodes> blockCodes(std::span<const std::byte> packed,
                                                 MatrixShape shape, uint64_t row,
                                                 uint64_t block) const {
        (void)packed, (void)shape, (void)row, (void)block;
        return std::nullopt;
    }
};

} // namespace bitlens
