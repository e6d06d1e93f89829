// SPDX-License-Identifier: MIT
// FP8 with an fp32 scale (core/quant/Float8Format.h is the spec): one workgroup per row. Per
// channel ("-ch"), the row's max |v| is reduced in shared memory (max is exact in any order) and
// the row starts with its scale; per tensor (TENSOR_SCALE), the host computed the scale from the
// tensor's max |v| and the rows hold codes only. Then every invocation encodes a stride of octets
// (float_octets.glsl: eight values per access where the row starts on an octet) and sums their
// errors (error_partials.glsl). Variants fp8_e4m3, fp8_e5m2 (-DELEMENT_E4M3 / -DELEMENT_E5M2).
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "float_octets.glsl"
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
layout(constant_id = 1) const bool WHOLE_OCTETS = false; // rows of a multiple of 8 values
layout(std430, binding = 0) readonly buffer Values {
    float values[];
};
#include "input_windows.glsl"
layout(std430, binding = 1) writeonly buffer Packed {
    uint8_t packed[];
};
layout(std430, binding = 1) writeonly buffer PackedWords {
    uint packedWords[];
};
layout(std430, binding = 2) writeonly buffer Dequantized {
    float dequantized[];
};
layout(std430, binding = 2) writeonly buffer DequantizedOctets {
    u64vec4 dequantizedOctets[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint rowLength;
    uint blockLength;
    uint tensorScale; // float bits, used with TENSOR_SCALE
}
parameters;

#include "error_partials.glsl"
#include "packed_bytes.glsl"
#include "unit_octets.glsl"

shared float rowMaxima[THREADS];

void main() {
    const uint row = linearWorkgroup();
    if (row >= parameters.rows)
        return; // the whole workgroup leaves together
    const uint lane = gl_LocalInvocationID.x;
    const uint length = parameters.rowLength;
    const uint first = row * length;
    const uint octets = (length + 7u) / 8u;
    if (!TENSOR_SCALE) {
        float amax = 0.0;
        for (uint octet = lane; octet < octets; octet += THREADS) {
            float v[8];
            loadOctet(first, octet, length, v);
            [[unroll]] for (uint k = 0u; k < 8u; ++k) amax = stdMax(amax, abs(v[k]));
        }
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
    for (uint octet = lane; octet < octets; octet += THREADS) {
        const uint start = 8u * octet;
        float v[8];
        loadOctet(first, octet, length, v);
        uint codes[8];
        float y[8];
        [[unroll]] for (uint k = 0u; k < 8u; ++k) {
            codes[k] = scale > 0.0 ? floatToMinifloat(exactDivide(v[k], scale), SPEC) : 0u;
            precise float value = minifloatToFloat(codes[k], SPEC) * scale;
            y[k] = value;
            if (WHOLE_OCTETS || start + k < length)
                addError(v[k], value);
        }
        foldErrors();
        if (WHOLE_OCTETS || ((first & 7u) == 0u && (codesAt & 3u) == 0u && start + 8u <= length)) {
            packedWords[(codesAt + start) / 4u] =
                codes[0] | (codes[1] << 8) | (codes[2] << 16) | (codes[3] << 24);
            packedWords[(codesAt + start) / 4u + 1u] =
                codes[4] | (codes[5] << 8) | (codes[6] << 16) | (codes[7] << 24);
            dequantizedOctets[first / 8u + octet] =
                u64vec4(floatsWord(y[0], y[1]), floatsWord(y[2], y[3]), floatsWord(y[4], y[5]),
                        floatsWord(y[6], y[7]));
        } else {
            [[unroll]] for (uint k = 0u; k < 8u; ++k) {
                if (start + k < length) {
                    packed[codesAt + start + k] = uint8_t(codes[k]);
                    dequantized[first + start + k] = y[k];
                }
            }
        }
    }
    storeErrorPartials();
}
