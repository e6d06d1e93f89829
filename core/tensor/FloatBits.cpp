// SPDX-License-Identifier: MIT
#include "core/tensor/FloatBits.h"

#include <cmath>
#include <limits>

namespace bitlens {

float halfToFloat(uint16_t bits) {
    const uint32_t sign = uint32_t(bits & 0x8000u) << 16;
    const uint32_t exponent = (bits >> 10) & 0x1fu;
    const uint32_t mantissa = bits & 0x3ffu;
    if (exponent == 0) {
        // zero or subnormal: mantissa * 2^-24, exact in float32
        const float magnitude = std::ldexp(float(mantissa), -24);
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 0x1f)
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

uint16_t floatToHalf(float value) {
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    const uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
    const uint32_t magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u) // NaN: keep it quiet and non-zero
        return uint16_t(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
    if (magnitude >= 0x477ff000u) // rounds to >= 65520: infinity
        return uint16_t(sign | 0x7c00u);
    if (magnitude < 0x38800000u) {
        // result is subnormal or zero: value / 2^-24 rounded to nearest even
        const float scaled = std::bit_cast<float>(magnitude) * 16777216.0f; // exact
        return uint16_t(sign | uint16_t(std::nearbyint(scaled)));
    }
    // normal: drop 13 mantissa bits with round-to-nearest-even; carries roll into the exponent
    const uint32_t rebased = magnitude - (112u << 23);
    const uint32_t rounded = rebased + 0xfffu + ((rebased >> 13) & 1u);
    return uint16_t(sign | (rounded >> 13));
}

uint16_t floatToBf16(float value) {
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    if ((bits & 0x7fffffffu) > 0x7f800000u)
        return uint16_t((bits >> 16) | 0x40u);
    return uint16_t((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

float e4m3ToFloat(uint8_t bits) {
    const bool negative = bits & 0x80u;
    const int exponent = (bits >> 3) & 0xf;
    const int mantissa = bits & 0x7;
    float magnitude;
    if (exponent == 0xf && mantissa == 0x7)
        magnitude = std::numeric_limits<float>::quiet_NaN();
    else if (exponent == 0)
        magnitude = std::ldexp(float(mantissa), -9);
    else
        magnitude = std::ldexp(float(8 + mantissa), exponent - 10);
    return negative ? -magnitude : magnitude;
}

float e5m2ToFloat(uint8_t bits) {
    return halfToFloat(uint16_t(bits) << 8);
}

} // namespace bitlens
