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

// A sign-exponent-mantissa float of at most 8 bits. Codes are S.E...E.M...M in the low
// 1 + exponentBits + mantissaBits bits of a byte (higher bits are ignored on decode, zero on
// encode). Exponent field 0 holds the subnormals: mantissa * 2^(1 - bias - mantissaBits).
enum class MinifloatSpecials : uint8_t {
    None,       // every code is finite (OCP FP6 E2M3/E3M2, FP4 E2M1)
    NanAllOnes, // only S.1...1.1...1 is NaN, no infinities (OCP FP8 E4M3)
    Ieee,       // all-ones exponent: infinity (mantissa 0) or NaN (OCP FP8 E5M2)
};
struct MinifloatSpec {
    int exponentBits;
    int mantissaBits;
    int bias;
    MinifloatSpecials specials;
};
inline constexpr MinifloatSpec kE4M3{4, 3, 7, MinifloatSpecials::NanAllOnes}; // max 448
inline constexpr MinifloatSpec kE5M2{5, 2, 15, MinifloatSpecials::Ieee};      // max 57344
inline constexpr MinifloatSpec kE2M3{2, 3, 1, MinifloatSpecials::None};       // max 7.5
inline constexpr MinifloatSpec kE3M2{3, 2, 3, MinifloatSpecials::None};       // max 28
inline constexpr MinifloatSpec kE2M1{2, 1, 1, MinifloatSpecials::None};       // max 6

float minifloatToFloat(uint8_t code, const MinifloatSpec& spec);
float minifloatMaxFinite(const MinifloatSpec& spec);

// Saturating float32 -> minifloat, round to nearest, ties to even. The sign is always kept
// (-0 and negative values that round to zero give the negative-zero code). Exact recipe:
//   m = |x|; if m >= maxFinite (infinity included): the max finite code (saturation);
//   e = max(unbiased exponent of m from its float32 bits, 1 - bias)   [float32 subnormals: -127]
//   code = ((e - (1 - bias)) << mantissaBits) + roundEven(m * 2^(mantissaBits - e))
// The scaling by a power of two is exact; a mantissa that rounds up to 2^(mantissaBits+1)
// carries into the exponent through the addition. NaN gives the format's NaN code (E4M3
// S.1111.111, E5M2 S.11111.10) or +0 for formats without NaN.
uint8_t floatToMinifloat(float value, const MinifloatSpec& spec);

// OCP FP8: E4M3 (bias 7, no infinities, S.1111.111 is NaN, max 448) and E5M2 (IEEE-like, bias 15).
inline float e4m3ToFloat(uint8_t bits) {
    return minifloatToFloat(bits, kE4M3);
}
inline float e5m2ToFloat(uint8_t bits) {
    return minifloatToFloat(bits, kE5M2);
}
inline uint8_t floatToE4m3(float value) {
    return floatToMinifloat(value, kE4M3);
}
inline uint8_t floatToE5m2(float value) {
    return floatToMinifloat(value, kE5M2);
}

} // namespace bitlens
