// SPDX-License-Identifier: MIT
// FP8 with an fp32 scale (core/quant/Float8Format.h is the spec): one workgroup per row. Per
// channel ("-ch"), the row's max |v| is reduced in shared memory (max is exact in any order) and
// the row starts with its scale; per tensor (TENSOR_SCALE), the host computed the scale from the
// tensor's max |v| and the rows hold codes only. Then every invocation encodes a stride.
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
layout(constant_id = 0) const bool TENSOR_SCALE = false;
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
    uint tensorScale; // float bits, used with TENSOR_SCALE
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
    if (!TENSOR_SCALE) {
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
    }
    const float scale = TENSOR_SCALE ? uintBitsToFloat(parameters.tensorScale)
                                     : exactDivide(rowMaxima[0], minifloatMaxFinite(SPEC));
    const uint codesAt = TENSOR_SCALE ? row * length : row * (4u + length) + 4u;
    if (!TENSOR_SCALE && lane == 0u)
        storeU32(codesAt - 4u, floatBitsToUint(scale));
    for (uint i = lane; i < length; i += THREADS) {
        const uint code =
            scale > 0.0 ? floatToMinifloat(exactDivide(values[first + i], scale), SPEC) : 0u;
        packed[codesAt + i] = uint8_t(code);
        precise float value = minifloatToFloat(code, SPEC) * scale;
        dequantized[first + i] = value;
    }
}
