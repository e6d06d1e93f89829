// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/Format.h"
#include "core/tensor/FloatBits.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

// OCP FP8 with an fp32 scale: "fp8-e4m3", "fp8-e5m2" (one scale per tensor) and "fp8-e4m3-ch",
// "fp8-e5m2-ch" (one scale per row = output channel).
//
// Spec (float32; "/" correctly rounded IEEE division): over the scale unit,
//   scale = (max |v|) / maxFinite            (maxFinite 448 for E4M3, 57344 for E5M2)
//   code of x = scale > 0 ? floatToMinifloat(x / scale, spec) : 0
//       (FloatBits.h: round to nearest even, saturating to +-maxFinite for both encodings, so
//       E5M2 never produces infinity; subnormals exact)
//   value of code c = minifloatToFloat(c, spec) * scale
// Packed layout: per tensor: fp32 scale, then every code row-major (8 + 32 / elements bits per
// weight); per channel: per row, fp32 scale then the row's codes (8 + 32 / rowLength).
namespace bitlens {

class Float8Format final : public Format {
public:
    Float8Format(bool e4m3, bool perChannel) : e4m3_(e4m3), perChannel_(perChannel) {}

    std::string id() const override;
    std::string description() const override;
    FormatFamily family() const override { return FormatFamily::Float8; }
    uint64_t blockLength(uint64_t rowLength) const override { return perChannel_ ? rowLength : 0; }
    std::string unsupportedReason(uint64_t rowLength) const override;
    uint64_t packedBytes(MatrixShape shape) const override;
    void quantize(std::span<const float> src, MatrixShape shape,
                  std::span<std::byte> dst) const override;
    void dequantize(std::span<const std::byte> src, MatrixShape shape,
                    std::span<float> dst) const override;
    std::optional<BlockCodes> blockCodes(std::span<const std::byte> packed, MatrixShape shape,
                                         uint64_t row, uint64_t block) const override;

private:
    const MinifloatSpec& spec() const { return e4m3_ ? kE4M3 : kE5M2; }
    // Byte offsets of row `row`'s scale and codes.
    uint64_t scaleOffset(MatrixShape shape, uint64_t row) const;
    uint64_t codesOffset(MatrixShape shape, uint64_t row) const;

    bool e4m3_;
    bool perChannel_;
};

std::shared_ptr<const Format> makeFloat8Format(std::string_view id);
std::vector<std::string> float8FormatIds();

} // namespace bitlens
