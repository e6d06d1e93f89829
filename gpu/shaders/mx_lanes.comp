// SPDX-License-Identifier: MIT
// OCP Microscaling blocks with eight invocations per block, for GPUs (variants mx_e4m3_lanes ...
// mx_int8_lanes): the same bytes, dequantized values and error partials as mx.comp, whose
// workgroups and push constants it takes, with the arithmetic of mx_elements.glsl.
// lane_rounds.glsl gives each aligned group of eight invocations a block per round; invocation
// `part` reads values 4 * part .. 4 * part + 3 as one vec4, so a subgroup's loads and dequantized
// stores cover consecutive bytes. The largest magnitude comes from lane_groups.glsl and the
// exponent byte and element fields go out through staged_packing.glsl.
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#include "common.glsl"
#include "float_octets.glsl"
#include "lane_groups.glsl"
#include "mx_elements.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Values {
    vec4 values[]; // four consecutive values each
};
layout(std430, binding = 2) writeonly buffer Dequantized {
    vec4 dequantized[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint rowLength;
    uint blockLength;
    uint blocks; // blocks in this chunk
}
parameters;

#define STAGED_WORDS (64u * BLOCK_BYTES / 4u + 2u) // 64 blocks
#include "lane_rounds.glsl"

void encodeUnit(uint block, uint local, uint part) {
    const vec4 x = values[8u * block + part];
    float amax = 0.0;
    [[unroll]] for (uint k = 0u; k < 4u; ++k) amax = stdMax(amax, abs(x[k]));
    const int sharedExponent = blockExponent(groupLargestFromZero(amax));
    const uint blockBit = 8u * BLOCK_BYTES * local; // from the workgroup's first packed byte
    if (part == 0u)
        stageBits(blockBit, uint(sharedExponent + 127));
    vec4 y;
    uint fields = 0u; // the four element fields one after another, at most 32 bits
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint code = elementCode(x[k], sharedExponent);
        y[k] = elementValue(code, sharedExponent);
        addError(x[k], y[k]);
        fields |= code << (ELEMENT_BITS * k);
    }
    stageBits(blockBit + 8u + ELEMENT_BITS * 4u * part, fields);
    dequantized[8u * block + part] = y;
}

void main() {
    laneRounds(parameters.blocks, BLOCK_BYTES);
}
