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

float reciprocalOrZero(float d) {
    return d != 0.0 ? exactDivide(1.0, d) : 0.0;
}

#endif
