// SPDX-License-Identifier: MIT
// The float operations of the CPU reference, spelled so that a shader gives the same bits:
// std::min/std::max/std::clamp as the ternaries of the C++ standard (they differ from GLSL
// min/max on signed zeros), and the rounding rules of core/tensor/Rounding.h.
#ifndef BITLENS_REFERENCE_MATH_GLSL
#define BITLENS_REFERENCE_MATH_GLSL

float stdMin(float a, float b) {
    return b < a ? b : a;
}
float stdMax(float a, float b) {
    return a < b ? b : a;
}
float stdClamp(float v, float lo, float hi) {
    return v < lo ? lo : (hi < v ? hi : v);
}

// roundHalfAwayFromZero: floor of the magnitude, plus one when the (exact) fraction is >= 0.5.
float roundHalfAwayFromZero(float x) {
    const float magnitude = abs(x);
    float lower = floor(magnitude);
    precise float fraction = magnitude - lower;
    if (fraction >= 0.5)
        lower += 1.0;
    return uintBitsToFloat((floatBitsToUint(x) & 0x80000000u) | floatBitsToUint(lower));
}

// roundHalfToEven with the sign of x kept (-0.25 gives -0).
float roundHalfToEven(float x) {
    const float magnitude = abs(x);
    float lower = floor(magnitude);
    precise float fraction = magnitude - lower;
    // odd `lower`: below 2^24 from its integer value (OpFMod may divide approximately), and every
    // float from 2^24 up is even
    const bool odd = lower < 16777216.0 && (uint(lower) & 1u) != 0u;
    if (fraction > 0.5 || (fraction == 0.5 && odd))
        lower += 1.0;
    return uintBitsToFloat((floatBitsToUint(x) & 0x80000000u) | floatBitsToUint(lower));
}

#endif
