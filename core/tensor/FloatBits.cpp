// SPDX-License-Identifier: MIT
#include "core/tensor/FloatBits.h"

#include "core/tensor/Rounding.h"

#include <algorithm>
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
        return uint16_t(sign | uint16_t(roundHalfToEven(scaled)));
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

namespace {

uint32_t fieldMask(int bits) {
    return (1u << bits) - 1u;
}

uint32_t maxFiniteCode(const MinifloatSpec& spec) {
    const int magnitudeBits = spec.exponentBits + spec.mantissaBits;
    switch (spec.specials) {
    case MinifloatSpecials::None:
        return fieldMask(magnitudeBits);
    case MinifloatSpecials::NanAllOnes:
        return fieldMask(magnitudeBits) - 1u;
    case MinifloatSpecials::Ieee:
        return ((fieldMask(spec.exponentBits) - 1u) << spec.mantissaBits) |
               fieldMask(spec.mantissaBits);
    }
    return 0;
}

uint32_t nanCode(const MinifloatSpec& spec) {
    switch (spec.specials) {
    case MinifloatSpecials::None:
        return 0;
    case MinifloatSpecials::NanAllOnes:
        return fieldMask(spec.exponentBits + spec.mantissaBits);
    case MinifloatSpecials::Ieee:
        return (fieldMask(spec.exponentBits) << spec.mantissaBits) |
               (1u << (spec.mantissaBits - 1));
    }
    return 0;
}

} // namespace

float minifloatToFloat(uint8_t code, const MinifloatSpec& spec) {
    const int magnitudeBits = spec.exponentBits + spec.mantissaBits;
    const bool negative = (code >> magnitudeBits) & 1u;
    const uint32_t magnitudeCode = code & fieldMask(magnitudeBits);
    const int exponent = int(magnitudeCode >> spec.mantissaBits);
    const int mantissa = int(magnitudeCode & fieldMask(spec.mantissaBits));
    float magnitude;
    if (spec.specials == MinifloatSpecials::NanAllOnes && magnitudeCode == fieldMask(magnitudeBits))
        magnitude = std::numeric_limits<float>::quiet_NaN();
    else if (spec.specials == MinifloatSpecials::Ieee &&
             uint32_t(exponent) == fieldMask(spec.exponentBits))
        magnitude = mantissa ? std::numeric_limits<float>::quiet_NaN()
                             : std::numeric_limits<float>::infinity();
    else if (exponent == 0)
        magnitude = std::ldexp(float(mantissa), 1 - spec.bias - spec.mantissaBits);
    else
        magnitude = std::ldexp(float((1 << spec.mantissaBits) + mantissa),
                               exponent - spec.bias - spec.mantissaBits);
    return negative ? -magnitude : magnitude;
}

float minifloatMaxFinite(const MinifloatSpec& spec) {
    return minifloatToFloat(uint8_t(maxFiniteCode(spec)), spec);
}

uint8_t floatToMinifloat(float value, const MinifloatSpec& spec) {
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    const uint32_t magnitudeBits = bits & 0x7fffffffu;
    if (magnitudeBits > 0x7f800000u)
        return uint8_t(nanCode(spec));
    const uint32_t sign = (bits >> 31) << (spec.exponentBits + spec.mantissaBits);
    const float magnitude = std::bit_cast<float>(magnitudeBits);
    if (magnitude >= minifloatMaxFinite(spec))
        return uint8_t(sign | maxFiniteCode(spec));
    const int minExponent = 1 - spec.bias;
    const int exponent = std::max(int(magnitudeBits >> 23) - 127, minExponent);
    const float steps = roundHalfToEven(std::ldexp(magnitude, spec.mantissaBits - exponent));
    return uint8_t(sign + (uint32_t(exponent - minExponent) << spec.mantissaBits) +
                   uint32_t(steps));
}

} // namespace bitlens
