// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/Format.h"

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// Uniform integer quantization, ids "int{B}-{g{G}|ch|tensor}-{sym|asym}[-fp32][-mse]":
// B = 2..8 bits; a scale (and zero point) per group of G consecutive values of a row
// (G = 1 .. 2^24, dividing the row length), per row ("ch") or per tensor; fp16 scales unless
// "-fp32"; "-mse" searches a clipping factor per scale unit. Suffixes come in this order.
//
// Spec (float32 arithmetic, each operation rounded on its own, no fused multiply-add; "x / y" is
// the correctly rounded IEEE division, which a Vulkan shader must emulate since OpFDiv may be off
// by 2.5 ulp). For one scale unit (group, row or tensor) with values v:
//   lo = min(0, min v), hi = max(0, max v)          (the range always holds 0, so 0 is exact)
//   symmetric:  qmax = 2^(B-1) - 1, raw = max(hi, -lo) / float(qmax)  (max(a, b) = a < b ? b : a,
//               so an all-zero unit gives +0, never -0)
//   asymmetric: qmax = 2^B - 1,     raw = (hi - lo) / float(qmax)
//   stored scale s = fp16: the smallest fp16 >= min(raw, 65504), i.e. floatToHalf (RNE) and
//                          one fp16 step up when that rounded down (so the range never clips)
//                    fp32: min(raw, FLT_MAX)
//   zero point (asymmetric): z = s == 0 ? 0 : clamp(roundHalfAwayFromZero(-lo / s), 0, qmax)
//   code of x: s == 0 ? (symmetric 0, asymmetric z) :
//       symmetric  q = clamp(roundHalfAwayFromZero(x / s), -qmax, qmax)
//       asymmetric q = clamp(roundHalfAwayFromZero(x / s), -z, qmax - z) + z
//   value of code q: float(q - z) * s   (z = 0 when symmetric)
// Without "-mse" every value is within s / 2 of its dequantized value (plus float rounding),
// unless an fp16 scale had to be clamped to 65504.
// Symmetric codes never use -2^(B-1) (the range is symmetric); a stored -2^(B-1) still decodes.
// Codes are computed with the stored scale, so quantize and dequantize agree exactly. fp16
// scales are subnormal below 6.1e-5 (coarse): use "-fp32" for tensors with tiny ranges.
//
// "-mse": candidates k = 0..20 with factor f = float(40 - k) * 0.025f (1.0 down to 0.5); the
// candidate uses lo * f, hi * f in the recipe above; its error is the float sum, in value order,
// of (value(code(v)) - v)^2; the first candidate with the strictly smallest error wins (so k = 0,
// the plain scale, wins ties and the search is never worse than plain).
//
// Packed layout (no alignment padding; scales little-endian fp16 or fp32):
//   group / channel: for each row, for each unit of L values (L = G or the row length):
//       scale, then one bit-field string (PackedBytes.h: LSB first, B bits per field) holding
//       [z (asymmetric only), code_0 .. code_{L-1}], padded with zero bits to a whole byte.
//       Symmetric codes are stored as B-bit two's complement.
//   tensor: scale, then (asymmetric) one byte holding z; then for each row the bit-field string
//       of its codes, padded to a whole byte.
namespace bitlens {

enum class IntegerGranularity : uint8_t { Group, Channel, Tensor };

struct IntegerParams {
    unsigned bits = 4;
    IntegerGranularity granularity = IntegerGranularity::Group;
    uint64_t groupSize = 128; // only for Group
    bool symmetric = true;
    bool fp32Scale = false;
    bool mseSearch = false;
};

// Stored scale and zero point of one scale unit.
struct IntegerScale {
    float scale = 0.0f;
    int zero = 0;
};

// The pure per-unit steps of the spec above, in the order a shader runs them.
IntegerScale integerScaleForRange(float lo, float hi, const IntegerParams& params);
// The "-mse" candidates for a unit with range lo..hi: k = 0 (the plain scale) .. 20.
inline constexpr int kIntegerSearchCandidates = 21;
std::array<IntegerScale, kIntegerSearchCandidates>
integerSearchCandidates(float lo, float hi, const IntegerParams& params);
IntegerScale chooseIntegerScale(std::span<const float> values, const IntegerParams& params);
int integerCode(float value, IntegerScale scale, const IntegerParams& params);
inline float integerValue(int code, IntegerScale scale) {
    return float(code - scale.zero) * scale.scale;
}

class IntegerFormat final : public Format {
public:
    // Throws Error for bits outside 2..8 or a group size outside 1..2^24.
    explicit IntegerFormat(IntegerParams params);

    std::string id() const override;
    std::string description() const override;
    FormatFamily family() const override { return FormatFamily::Integer; }
    uint64_t blockLength(uint64_t rowLength) const override;
    std::string unsupportedReason(uint64_t rowLength) const override;
    uint64_t packedBytes(MatrixShape shape) const override;
    void quantize(std::span<const float> src, MatrixShape shape,
                  std::span<std::byte> dst) const override;
    void dequantize(std::span<const std::byte> src, MatrixShape shape,
                    std::span<float> dst) const override;
    std::optional<BlockCodes> blockCodes(std::span<const std::byte> packed, MatrixShape shape,
                                         uint64_t row, uint64_t block) const override;

    const IntegerParams& params() const { return params_; }

private:
    uint64_t scaleBytes() const { return params_.fp32Scale ? 4 : 2; }
    uint64_t unitLength(uint64_t rowLength) const;
    uint64_t unitBytes(uint64_t rowLength) const;
    uint64_t tensorHeaderBytes() const;
    // Stored scale of one unit (group/row index for group/channel, row index for tensor) and
    // its codes' B-bit fields.
    IntegerScale readUnit(std::span<const std::byte> src, MatrixShape shape, uint64_t unit,
                          std::vector<uint8_t>& fields) const;
    void writeScale(std::byte* at, float scale) const;
    float readScale(const std::byte* at) const;

    IntegerParams params_;
};

// FormatRegistry family entry: nullptr for ids not starting with "int", Error naming the id for
// a malformed "int..." id.
std::shared_ptr<const Format> makeIntegerFormat(std::string_view id);
std::vector<std::string> integerFormatIds();

} // namespace bitlens
