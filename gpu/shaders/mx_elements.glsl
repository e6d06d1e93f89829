// SPDX-License-Identifier: MIT
// The arithmetic of the OCP Microscaling blocks (core/quant/MicroscalingFormat.h is the spec),
// shared by mx.comp (one invocation per block) and mx_lanes.comp (eight): the block's shared
// exponent and each element's code and decoded value. The includer defines the element type
// (ELEMENT_E4M3 ... ELEMENT_INT8).
#ifndef BITLENS_MX_ELEMENTS_GLSL
#define BITLENS_MX_ELEMENTS_GLSL

#include "minifloat.glsl"

#if defined(ELEMENT_E4M3)
#define SPEC E4M3
#define ELEMENT_BITS 8u
#define LARGEST_NORMAL_EXPONENT 8
#elif defined(ELEMENT_E5M2)
#define SPEC E5M2
#define ELEMENT_BITS 8u
#define LARGEST_NORMAL_EXPONENT 15
#elif defined(ELEMENT_E2M3)
#define SPEC E2M3
#define ELEMENT_BITS 6u
#define LARGEST_NORMAL_EXPONENT 2
#elif defined(ELEMENT_E3M2)
#define SPEC E3M2
#define ELEMENT_BITS 6u
#define LARGEST_NORMAL_EXPONENT 4
#elif defined(ELEMENT_E2M1)
#define SPEC E2M1
#define ELEMENT_BITS 4u
#define LARGEST_NORMAL_EXPONENT 2
#elif defined(ELEMENT_INT8)
#define ELEMENT_BITS 8u
#define LARGEST_NORMAL_EXPONENT 0
#else
#error "define the element type"
#endif
#define BLOCK_BYTES (1u + 32u * ELEMENT_BITS / 8u)

// The shared exponent of a block whose largest magnitude is amax.
int blockExponent(float amax) {
    if (amax == 0.0)
        return -127;
    const int exponent = int((floatBitsToUint(amax) >> 23) & 0xffu) - 127;
    return clamp(exponent - LARGEST_NORMAL_EXPONENT, -127, 127);
}

uint elementCode(float value, int sharedExponent) {
    const float scaled = scaleByPowerOfTwo(value, -sharedExponent);
#if defined(ELEMENT_INT8)
    precise float times64 = scaled * 64.0;
    return uint(int(stdClamp(roundHalfToEven(times64), -127.0, 127.0))) & 0xffu;
#else
    return floatToMinifloat(scaled, SPEC);
#endif
}

float elementValue(uint code, int sharedExponent) {
#if defined(ELEMENT_INT8)
    return scaleByPowerOfTwo(float(int(code << 24) >> 24), sharedExponent - 6);
#else
    return scaleByPowerOfTwo(minifloatToFloat(code, SPEC), sharedExponent);
#endif
}

#endif
