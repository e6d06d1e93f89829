// SPDX-License-Identifier: MIT
// NVFP4 (core/quant/Nvfp4Format.h is the spec): one invocation per 16-value block writes its
// E4M3 block scale and eight bytes of E2M1 pairs (first value in the low nibble). The fp32
// global scale comes from the host, which measured the tensor's max |v| beforehand.
// The block's values are read once as octets and its dequantized values written as octets
// (float_octets.glsl); its error sums come out of the kernel (error_partials.glsl).
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "float_octets.glsl"
#include "minifloat.glsl"

#define BLOCK_BYTES 9u

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
    uint blocks;      // blocks in this chunk
    uint globalScale; // float bits
}
parameters;

#include "bit_stream.glsl"
#include "error_partials.glsl"

void main() {
    const uint block = linearWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (block >= parameters.blocks)
        return;
    const float global = uintBitsToFloat(parameters.globalScale);
    float x[16];
    [[unroll]] for (uint k = 0u; k < 2u; ++k) {
        const u64vec4 octet = inputOctet(block * 2u + k);
        [[unroll]] for (uint w = 0u; w < 4u; ++w) {
            const vec2 pair = wordFloats(octet[w]);
            x[8u * k + 2u * w] = pair.x;
            x[8u * k + 2u * w + 1u] = pair.y;
        }
    }
    float amax = 0.0;
    [[unroll]] for (uint j = 0u; j < 16u; ++j) {
        amax = stdMax(amax, abs(x[j]));
    }
    const uint scaleCode =
        global > 0.0 ? floatToMinifloat(exactDivide(exactDivide(amax, 6.0), global), E4M3) : 0u;
    precise float effective = minifloatToFloat(scaleCode, E4M3) * global;
    const uint at = block * BLOCK_BYTES;
    BitStream stream = bitStream(at);
    append(stream, scaleCode, 8u);
    flushWord(stream);
    float y[16];
    [[unroll]] for (uint j = 0u; j < 16u; ++j) {
        const uint code =
            effective > 0.0 ? floatToMinifloat(exactDivide(x[j], effective), E2M1) : 0u;
        append(stream, code, 4u);
        if (j % 4u == 3u)
            flushWord(stream);
        precise float value = minifloatToFloat(code, E2M1) * effective;
        y[j] = value;
        addError(x[j], value);
    }
    finishStream(stream);
    storeErrorPartials();
    [[unroll]] for (uint k = 0u; k < 2u; ++k) {
        const uint j = 8u * k;
        dequantizedOctets[block * 2u + k] =
            u64vec4(floatsWord(y[j], y[j + 1u]), floatsWord(y[j + 2u], y[j + 3u]),
                    floatsWord(y[j + 4u], y[j + 5u]), floatsWord(y[j + 6u], y[j + 7u]));
    }
}
