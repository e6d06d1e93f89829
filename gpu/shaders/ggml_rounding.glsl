// SPDX-License-Identifier: MIT
// The scalar steps of ggml's quantizers (core/quant/GgmlBlockFields.h), spelled so that a shader
// gives the CPU reference's bits.
#ifndef BITLENS_GGML_ROUNDING_GLSL
#define BITLENS_GGML_ROUNDING_GLSL

// ggml's nearest_int: round to nearest, ties to even, through the float adder (adding 1.5 * 2^23
// leaves the integer in the low mantissa bits; larger magnitudes wrap like the CPU's).
int nearestInt(float value) {
    precise float shifted = value + 12582912.0;
    return int(floatBitsToUint(shifted) & 0x007fffffu) - 0x00400000;
}

// nearestInt(exactDivide(a, b)), skipping the exact division where it cannot change the result:
// OpFDiv is within 2.5 ulp for divisors in [2^-126, 2^126], so a quotient more than 4 ulp from
// every half-integer rounds to the same integer as the correctly rounded one. The double variants
// divide exactly at once.
int nearestIntOfQuotient(float a, float b) {
    if (CHEAP_EXACT_DIVISION)
        return nearestInt(exactDivide(a, b));
    const float q = a / b;
    const float magnitude = abs(q);
    const float divisor = abs(b);
    if (magnitude < 2097152.0 && divisor >= uintBitsToFloat(0x00800000u) && // 2^21, 2^-126
        divisor <= uintBitsToFloat(0x7e800000u)) {                          // 2^126
        const float gap = uintBitsToFloat(floatBitsToUint(magnitude) & 0x7f800000u) *
                          1.1920928955078125e-7; // ulp(q) = 2^(exponent - 23)
        precise float fraction = magnitude - floor(magnitude);
        precise float distance = abs(fraction - 0.5);
        if (distance > 4.0 * gap)
            return nearestInt(q);
    }
    return nearestInt(exactDivide(a, b));
}

// nearestInt of the float a / b for HeldFloat operands (common.glsl).
#ifdef HELD_SUBNORMALS
int nearestIntOfHeldQuotient(double a, double b) {
    return nearestInt(heldQuotient(a, b));
}
#else
int nearestIntOfHeldQuotient(float a, float b) {
    return nearestIntOfQuotient(a, b);
}
#endif

float reciprocalOrZero(float d) {
    return d != 0.0 ? exactDivide(1.0, d) : 0.0;
}

#endif
