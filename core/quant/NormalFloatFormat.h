// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/Format.h"

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// bitsandbytes-style 4-bit formats: "nf4", "fp4", and "nf4-dq", "fp4-dq" with double-quantized
// block scales. Blocks of 64 consecutive values of a row; the row length must be a multiple of 64.
//
// Spec (float32, each operation rounded on its own, no fused multiply-add; "/" is the correctly
// rounded IEEE division). Block absmax a = max |v| over the 64 values. With the block's decoded
// absmax a' (a itself without double quantization):
//   code of x: a' > 0 ? code(x / a') : zeroCode          (zeroCode: 7 for NF4, 0 for FP4)
//   NF4 code(t) = number of i in 0..14 with t > nf4Midpoint(i), where
//       nf4Midpoint(i) = (nf4Levels[i] + nf4Levels[i+1]) * 0.5f, so a tie goes to the LOWER index
//   FP4 code(t) = floatToMinifloat(t * 6.0f, kE2M1): sign bit 3, E2M1 magnitude
//       {0, 0.5, 1, 1.5, 2, 3, 4, 6}, round to nearest even, saturating at 6
//   value of code c: level[c] * a', level = nf4Levels, or E2M1 value / 6.0f for FP4
// (FP4 here is OCP E2M1 normalised by 6; its codes differ from bitsandbytes' own FP4 table.)
// Two codes per byte, bitsandbytes order: the first value of a pair in the HIGH nibble.
//
// Packed layout of nf4 / fp4 (rows one after another): per block, fp32 absmax (little-endian)
// then 32 code bytes. 36 bytes per 64 values = 4.5 bits per weight.
//
// Double quantization (-dq) treats the tensor as one sequence of B = elements / 64 blocks in
// row-major order (block k = row k / blocksPerRow, block k % blocksPerRow); its chunks of 256
// block absmax values may span rows, so the layout is a whole-tensor layout:
//   mean = (sum of all a_k, float, sequentially in k) / float(B)
//   chunk j (blocks 256j .. min(256j + 255, B - 1)): d_k = a_k - mean,
//       chunkScale_j = (max |d_k| over the chunk) / 127.0f
//       q_k = chunkScale_j > 0 ? clamp(roundHalfAwayFromZero(d_k / chunkScale_j), -127, 127) : 0
//   decoded absmax a'_k = float(q_k) * chunkScale_j + mean   (product rounded, then the sum)
// a'_k may differ from a_k by up to chunkScale_j / 2 (values of the block beyond ±a'_k take the
// outermost level); a'_k <= 0 makes the whole block zeroCode.
// Packed layout: fp32 mean, fp32 chunkScale_j for every chunk, int8 q_k for every block, then
// the 32 code bytes of every block in block order. Bytes: 4 + 4 * ceil(B / 256) + B + elements/2.
namespace bitlens {

// bitsandbytes' NF4 levels (get_4bit_type("nf4")), ascending, as float32.
extern const std::array<float, 16> kNf4Levels;

enum class FourBitKind : uint8_t { NF4, FP4 };

// The pure per-value steps of the spec above.
uint8_t fourBitCode(float normalised, FourBitKind kind);
float fourBitLevel(uint8_t code, FourBitKind kind);

// Double quantization of the block absmax values a_k of a whole tensor (the -dq spec above):
// the bytes that start the packed tensor (mean, chunk scales, q_k) and every decoded a'_k.
struct DoubleQuantizedAbsmax {
    std::vector<std::byte> header;
    std::vector<float> decoded;
};
DoubleQuantizedAbsmax doubleQuantizeAbsmax(std::span<const float> absmax);

class NormalFloatFormat final : public Format {
public:
    static constexpr uint64_t kBlock = 64;
    static constexpr uint64_t kChunk = 256; // block absmax values per double-quant chunk

    NormalFloatFormat(FourBitKind kind, bool doubleQuant)
        : kind_(kind), doubleQuant_(doubleQuant) {}

    std::string id() const override;
    std::string description() const override;
    FormatFamily family() const override { return FormatFamily::NormalFloat; }
    uint64_t blockLength(uint64_t) const override { return kBlock; }
    std::string unsupportedReason(uint64_t rowLength) const override;
    uint64_t packedBytes(MatrixShape shape) const override;
    void quantize(std::span<const float> src, MatrixShape shape,
                  std::span<std::byte> dst) const override;
    void dequantize(std::span<const std::byte> src, MatrixShape shape,
                    std::span<float> dst) const override;
    std::optional<BlockCodes> blockCodes(std::span<const std::byte> packed, MatrixShape shape,
                                         uint64_t row, uint64_t block) const override;

private:
    // Where block k's scale and codes live in a packed tensor of `blocks` blocks.
    struct BlockPlace {
        uint64_t scaleOffset; // fp32 absmax (plain) or int8 q_k (double quant)
        uint64_t codesOffset;
    };
    BlockPlace place(uint64_t blocks, uint64_t block) const;
    // Decoded absmax a' of every block of a packed tensor.
    std::vector<float> decodedAbsmax(std::span<const std::byte> src, uint64_t blocks) const;

    FourBitKind kind_;
    bool doubleQuant_;
};

std::shared_ptr<const Format> makeNormalFloatFormat(std::string_view id);
std::vector<std::string> normalFloatFormatIds();

} // namespace bitlens
