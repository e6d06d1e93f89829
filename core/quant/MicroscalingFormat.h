// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/Format.h"
#include "core/tensor/FloatBits.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

// OCP Microscaling (MX v1.0) formats: "mxfp8-e4m3", "mxfp8-e5m2", "mxfp6-e2m3", "mxfp6-e3m2",
// "mxfp4" (E2M1) and "mxint8". Blocks of 32 consecutive values of a row share an E8M0 scale
// 2^X; the row length must be a multiple of 32.
//
// Spec (float32). For a block with amax = max |v|:
//   emax = exponent of the element format's largest normal (E4M3 8, E5M2 15, E2M3 2, E3M2 4,
//          E2M1 2, INT8 0 since MXINT8 elements are 1.6 fixed point: int8 * 2^-6)
//   X = amax == 0 ? -127 : clamp(floor(log2(amax)) - emax, -127, 127), where floor(log2(amax))
//       is the unbiased exponent field of amax's float32 bits (float32 subnormals count as -127)
//   E8M0 byte = X + 127 (0..254; quantize never writes 0xFF, which decodes as NaN)
//   element of x: s = x * 2^-X (ldexp: exact unless the result is a float32 subnormal, where it
//       rounds to nearest even; a shader can multiply by 2^-X in two halves to avoid a
//       subnormal constant), then
//       FP elements: floatToMinifloat(s, spec) (round to nearest even, saturating to +-max)
//       INT8: clamp(roundHalfToEven(s * 64), -127, 127) as two's complement (-128 is not
//       written, but decodes to -2)
//   value: FP minifloatToFloat(code) * 2^X; INT8 float(int8) * 2^(X - 6) (ldexp, exact unless
//       the result is a float32 subnormal; a GPU that flushes subnormals differs only there)
// Packed layout, rows one after another, per block: the E8M0 byte, then the 32 elements as
// bit fields (PackedBytes.h: LSB first): 8-bit elements one per byte, FP6 4 elements in 3 bytes,
// FP4 two per byte with the first element in the LOW nibble (as ggml's MXFP4).
// Bits per weight: 8.25 (MXFP8, MXINT8), 6.25 (MXFP6), 4.25 (MXFP4).
namespace bitlens {

enum class MxElement : uint8_t { E4M3, E5M2, E2M3, E3M2, E2M1, Int8 };

// The pure per-block steps of the spec above.
int mxSharedExponent(float amax, MxElement element);
uint8_t mxElementCode(float value, int sharedExponent, MxElement element);
float mxElementValue(uint8_t code, int sharedExponent, MxElement element);

class MicroscalingFormat final : public Format {
public:
    static constexpr uint64_t kBlock = 32;

    explicit MicroscalingFormat(MxElement element) : element_(element) {}

    std::string id() const override;
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
    unsigned elementBits() const;
    uint64_t blockBytes() const;
    // Shared exponent and element codes of block `block` (row-major block index).
    int readBlock(std::span<const std::byte> src, uint64_t block, std::span<uint8_t> codes) const;

    MxElement element_;
};

std::shared_ptr<const Format> makeMicroscalingFormat(std::string_view id);
std::vector<std::string> microscalingFormatIds();

} // namespace bitlens
