// SPDX-License-Identifier: MIT
// OCP Microscaling blocks (core/quant/MicroscalingFormat.h is the spec): one invocation per
// 32-value block writes the E8M0 shared exponent, the element bit fields and the dequantized
// values. Variants mx_e4m3, mx_e5m2, mx_e2m3, mx_e3m2, mx_e2m1, mx_int8 (-DELEMENT_...).
// The block's values are read once as octets (through input_windows.glsl) and its dequantized
// values written as octets (float_octets.glsl); its error sums come out of the kernel
// (error_partials.glsl).
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "float_octets.glsl"
#include "minifloat.glsl"
#include "mx_elements.glsl"

layout(local_size_x = 64) in;
#include "input_windows.glsl"
layout(std430, binding = 1) writeonly buffer Packed {
    uint8_t packed[];
};
layout(std430, binding = 1) writeonly buffer PackedWords {
    uint packedWords[];
};
layout(std430, binding = 2) writeonly buffer DequantizedOctets {
    u64vec4 dequantizedOctets[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint rowLength;
    uint blockLength;
    uint blocks; // blocks in this chunk
}
parameters;

#include "bit_stream.glsl"
#include "error_partials.glsl"

void main() {
    const uint block = linearWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (block >= parameters.blocks)
        return;
    float x[32];
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const u64vec4 octet = inputOctet(block * 4u + k);
        [[unroll]] for (uint w = 0u; w < 4u; ++w) {
            const vec2 pair = wordFloats(octet[w]);
            x[8u * k + 2u * w] = pair.x;
            x[8u * k + 2u * w + 1u] = pair.y;
        }
    }
    float amax = 0.0;
    [[unroll]] for (uint j = 0u; j < 32u; ++j) {
        amax = stdMax(amax, abs(x[j]));
    }
    const int sharedExponent = blockExponent(amax);
    const uint at = block * BLOCK_BYTES;
    BitStream stream = bitStream(at);
    append(stream, uint(sharedExponent + 127), 8u);
    flushWord(stream);
    float y[32];
    [[unroll]] for (uint j = 0u; j < 32u; ++j) {
        const uint code = elementCode(x[j], sharedExponent);
        append(stream, code, ELEMENT_BITS);
        if (j % 4u == 3u)
            flushWord(stream);
        y[j] = elementValue(code, sharedExponent);
        addError(x[j], y[j]);
    }
    finishStream(stream);
    storeErrorPartials();
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint j = 8u * k;
        dequantizedOctets[block * 4u + k] =
            u64vec4(floatsWord(y[j], y[j + 1u]), floatsWord(y[j + 2u], y[j + 3u]),
                    floatsWord(y[j + 4u], y[j + 5u]), floatsWord(y[j + 6u], y[j + 7u]));
    }
}
