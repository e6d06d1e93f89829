// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/Format.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

// NVIDIA NVFP4 ("nvfp4"): E2M1 elements, an E4M3 scale per block of 16 consecutive values of a
// row, and an fp32 scale for the whole tensor (NVIDIA's two-level recipe, as in TensorRT Model
// Optimizer / Transformer Engine). The row length must be a multiple of 16.
//
// Spec (float32, each operation rounded on its own; "/" the correctly rounded IEEE division):
//   global = (max |v| over the tensor) / 2688.0f                    (2688 = 6 * 448)
//   per block, amax = max |v| over its 16 values:
//       scaleCode = global > 0 ? floatToE4m3((amax / 6.0f) / global) : 0
//                   (round to nearest even, saturating at 448)
//       effective = e4m3ToFloat(scaleCode) * global
//       element code of x = effective > 0 ? floatToMinifloat(x / effective, kE2M1) : 0
//       value of code c = minifloatToFloat(c, kE2M1) * effective
// A block whose scale rounds to E4M3 zero (amax below ~2^-10 of the tensor's) becomes zero.
// Packed layout: fp32 global, then per row, per block: the E4M3 scale byte and 8 bytes of
// elements, two per byte with the first in the LOW nibble. 4.5 + 32 / elements bits per weight.
namespace bitlens {

// The pure per-block steps of the spec above.
float nvfp4GlobalScale(float tensorAbsmax);
uint8_t nvfp4BlockScaleCode(float blockAbsmax, float globalScale);
float nvfp4EffectiveScale(uint8_t blockScaleCode, float globalScale);

class Nvfp4Format final : public Format {
public:
    static constexpr uint64_t kBlock = 16;

    std::string id() const override { return "nvfp4"; }
    std::string description() const override;
    FormatFamily family() const override { return FormatFamily::Microscaling; }
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
    // Effective scale and element codes of block `block` (row-major block index).
    float readBlock(std::span<const std::byte> src, uint64_t block, std::span<uint8_t> codes) const;
};

std::shared_ptr<const Format> makeNvfp4Format(std::string_view id);
std::vector<std::string> nvfp4FormatIds();

} // namespace bitlens
