// SPDX-License-Identifier: MIT
#pragma once

#include <bit>
#include <cstdint>

// Scalar conversions between float32 and the small float encodings. Encoders round to nearest,
// ties to even; NaN stays NaN. These are the reference the GPU kernels must match.
namespace bitlens {

float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);

inline float bf16ToFloat(uint16_t bits) {
    return std::bit_cast<float>(uint32_t(bits) << 16);
}
uint16_t floatToBf16(float value);

// OCP FP8: E4M3 (bias 7, no infinities, S.1111.111 is NaN, max 448) and E5M2 (IEEE-like, bias 15).
float e4m3ToFloat(uint8_t bits);
float e5m2ToFloat(uint8_t bits);

} // namespace bitlens
