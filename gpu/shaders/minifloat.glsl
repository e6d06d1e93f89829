// SPDX-License-Identifier: MIT
// Small floats (FP8 E4M3/E5M2, FP6 E2M3/E3M2, FP4 E2M1) as in core/tensor/FloatBits.cpp:
// floatToMinifloat saturates and rounds to nearest even, minifloatToFloat decodes exactly.
#ifndef BITLENS_MINIFLOAT_GLSL
#define BITLENS_MINIFLOAT_GLSL

#include "reference_math.glsl"

#define SPECIALS_NONE 0
#define SPECIALS_NAN_ALL_ONES 1
#define SPECIALS_IEEE 2

struct Minifloat {
    int exponentBits;
    int mantissaBits;
    int bias;
    int specials;
};

const Minifloat E4M3 = Minifloat(4, 3, 7, SPECIALS_NAN_ALL_ONES);
const Minifloat E5M2 = Minifloat(5, 2, 15, SPECIALS_IEEE);
const Minifloat E2M3 = Minifloat(2, 3, 1, SPECIALS_NONE);
const Minifloat E3M2 = Minifloat(3, 2, 3, SPECIALS_NONE);
const Minifloat E2M1 = Minifloat(2, 1, 1, SPECIALS_NONE);

uint fieldMask(int bits) {
    return (1u << uint(bits)) - 1u;
}

uint maxFiniteCode(Minifloat spec) {
    const int magnitudeBits = spec.exponentBits + spec.mantissaBits;
    if (spec.specials == SPECIALS_NONE)
        return fieldMask(magnitudeBits);
    if (spec.specials == SPECIALS_NAN_ALL_ONES)
        return fieldMask(magnitudeBits) - 1u;
    return ((fieldMask(spec.exponentBits) - 1u) << uint(spec.mantissaBits)) |
           fieldMask(spec.mantissaBits);
}

uint nanCode(Minifloat spec) {
    if (spec.specials == SPECIALS_NONE)
        return 0u;
    if (spec.specials == SPECIALS_NAN_ALL_ONES)
        return fieldMask(spec.exponentBits + spec.mantissaBits);
    return (fieldMask(spec.exponentBits) << uint(spec.mantissaBits)) |
           (1u << uint(spec.mantissaBits - 1));
}

// 2^e as a float for -126 <= e <= 127, built from its bits (exact, no exp2 approximation).
float powerOfTwo(int e) {
    return uintBitsToFloat(uint(e + 127) << 23);
}

float minifloatToFloat(uint code, Minifloat spec) {
    const int magnitudeBits = spec.exponentBits + spec.mantissaBits;
    const bool negative = ((code >> uint(magnitudeBits)) & 1u) != 0u;
    const uint magnitudeCode = code & fieldMask(magnitudeBits);
    const int exponent = int(magnitudeCode >> uint(spec.mantissaBits));
    const int mantissa = int(magnitudeCode & fieldMask(spec.mantissaBits));
    float magnitude;
    if (spec.specials == SPECIALS_NAN_ALL_ONES && magnitudeCode == fieldMask(magnitudeBits))
        magnitude = uintBitsToFloat(0x7fc00000u);
    else if (spec.specials == SPECIALS_IEEE && uint(exponent) == fieldMask(spec.exponentBits))
        magnitude = uintBitsToFloat(mantissa != 0 ? 0x7fc00000u : 0x7f800000u);
    else if (exponent == 0)
        magnitude = float(mantissa) * powerOfTwo(1 - spec.bias - spec.mantissaBits);
    else
        magnitude = float((1 << spec.mantissaBits) + mantissa) *
                    powerOfTwo(exponent - spec.bias - spec.mantissaBits);
    return negative ? -magnitude : magnitude;
}

float minifloatMaxFinite(Minifloat spec) {
    return minifloatToFloat(maxFiniteCode(spec), spec);
}

uint floatToMinifloat(float value, Minifloat spec) {
    const uint bits = floatBitsToUint(value);
    const uint magnitudeBits = bits & 0x7fffffffu;
    if (magnitudeBits > 0x7f800000u)
        return nanCode(spec);
    const uint sign = (bits >> 31) << uint(spec.exponentBits + spec.mantissaBits);
    const float magnitude = uintBitsToFloat(magnitudeBits);
    if (magnitude >= minifloatMaxFinite(spec))
        return sign | maxFiniteCode(spec);
    const int minExponent = 1 - spec.bias;
    const int exponent = max(int(magnitudeBits >> 23) - 127, minExponent);
    // magnitude * 2^(mantissaBits - exponent) is exact: the result is below 2^(mantissaBits+1).
    precise float scaled = magnitude * powerOfTwo(spec.mantissaBits - exponent);
    const float steps = roundHalfToEven(scaled);
    return sign + (uint(exponent - minExponent) << uint(spec.mantissaBits)) + uint(steps);
}

// ldexp(x, e) for -254 <= e <= 254 in two exact power-of-two steps (no subnormal constants).
float scaleByPowerOfTwo(float x, int e) {
    const int first = e / 2;
    precise float partial = x * powerOfTwo(first);
    precise float result = partial * powerOfTwo(e - first);
    return result;
}

#endif
