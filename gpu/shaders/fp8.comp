// SPDX-License-Identifier: MIT
// FP8 with one fp32 scale per row, "fp8-e4m3-ch" / "fp8-e5m2-ch" (core/quant/Float8Format.h is
// the spec): one workgroup per row; the row's max |v| is reduced in shared memory (max is exact
// in any order), then every invocation encodes a stride of the row.
// Variants fp8_e4m3, fp8_e5m2 (-DELEMENT_E4M3 / -DELEMENT_E5M2).
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#include "common.glsl"
#include "minifloat.glsl"

#if defined(ELEMENT_E4M3)
#define SPEC E4M3
#elif defined(ELEMENT_E5M2)
#define SPEC E5M2
#else
#error "define ELEMENT_E4M3 or ELEMENT_E5M2"
#endif
#define THREADS 64u

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Values {
    float values[];
};
layout(std430, binding = 1) writeonly buffer Packed {
    uint8_t packed[];
};
layout(std430, binding = 2) writeonly buffer Dequantized {
    float dequantized[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint rowLength;
    uint blockLength;
}
parameters;

#include "packed_bytes.glsl"

shared float rowMaxima[THREADS];

void main() {
    const uint row = linearWorkgroup();
    if (row >= parameters.rows)
        return; // the whole workgroup leaves together
    const uint lane = gl_LocalInvocationID.x;
    const uint length = parameters.rowLength;
    const uint first = row * length;
    float amax = 0.0;
    for (uint i = lane; i < length; i += THREADS)
        amax = stdMax(amax, abs(values[first + i]));
    rowMaxima[lane] = amax;
    barrier();
    for (uint width = THREADS / 2u; width > 0u; width /= 2u) {
        if (lane < width)
            rowMaxima[lane] = stdMax(rowMaxima[lane], rowMaxima[lane + width]);
        barrier();
    }
    const float scale = exactDivide(rowMaxima[0], minifloatMaxFinite(SPEC));
    const uint at = row * (4u + length);
    if (lane == 0u)
        storeU32(at, floatBitsToUint(scale));
    for (uint i = lane; i < length; i += THREADS) {
        const uint code =
            scale > 0.0 ? floatToMinifloat(exactDivide(values[first + i], scale), SPEC) : 0u;
        packed[at + 4u + i] = uint8_t(code);
        precise float value = minifloatToFloat(code, SPEC) * scale;
        dequantized[first + i] = value;
    }
}
