// SPDX-License-Identifier: MIT
// Shared helpers of the BitLens compute shaders.
#ifndef BITLENS_COMMON_GLSL
#define BITLENS_COMMON_GLSL

// Linear workgroup index of a dispatch split over x and y by ComputeKernel::record.
uint linearWorkgroup() {
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

// IEEE binary16 bits -> float, exactly as halfToFloat in core/tensor/FloatBits.cpp.
float halfBitsToFloat(uint bits) {
    const uint sign = (bits & 0x8000u) << 16;
    const uint exponent = (bits >> 10) & 0x1fu;
    const uint mantissa = bits & 0x3ffu;
    if (exponent == 0u) // zero or subnormal: mantissa * 2^-24, exact
        return uintBitsToFloat(sign | floatBitsToUint(float(mantissa) * 5.9604644775390625e-8));
    if (exponent == 0x1fu)
        return uintBitsToFloat(sign | 0x7f800000u | (mantissa << 13));
    return uintBitsToFloat(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

// float -> IEEE binary16 bits, round to nearest even, exactly as floatToHalf.
uint floatToHalfBits(float value) {
    const uint bits = floatBitsToUint(value);
    const uint sign = (bits >> 16) & 0x8000u;
    const uint magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u)
        return sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu);
    if (magnitude >= 0x477ff000u)
        return sign | 0x7c00u;
    if (magnitude < 0x38800000u) {
        precise float scaled = uintBitsToFloat(magnitude) * 16777216.0; // exact
        return sign | uint(roundEven(scaled));
    }
    const uint rebased = magnitude - (112u << 23);
    const uint rounded = rebased + 0xfffu + ((rebased >> 13) & 1u);
    return sign | (rounded >> 13);
}

// bfloat16 bits -> float.
float bf16BitsToFloat(uint bits) {
    return uintBitsToFloat(bits << 16);
}

// x / y correctly rounded even where the device's division is approximate (Vulkan allows
// 2.5 ulp): one Newton-style correction of the quotient with fused multiply-adds.
float exactDivide(float x, float y) {
    precise float q = x / y;
    precise float r = fma(-q, y, x);
    precise float corrected = fma(r, 1.0 / y, q);
    return corrected;
}

#endif
