// SPDX-License-Identifier: MIT
// NF4 / FP4 and their double-quantized variants with eight invocations per 64-value block, for
// GPUs (variant normal_float_lanes): the same bytes, dequantized values and error partials as
// normal_float.comp's quantizing pass, whose workgroups, push constants and specialization it
// takes (its ABSMAX_ONLY scan pass stays there), with the codes of normal_float_codes.glsl.
// lane_rounds.glsl gives each aligned group of eight invocations a block per round; invocation
// `part` reads values 32 * i + 4 * part .. + 3 as one vec4 for i = 0, 1, so a subgroup's loads and
// dequantized stores cover consecutive bytes. The absmax comes from lane_groups.glsl and the
// fields go out through staged_packing.glsl.
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
#include "normal_float_codes.glsl"

#define BLOCK 64u

layout(local_size_x = 64) in;
layout(constant_id = 1) const bool DOUBLE_QUANT = false;
// A block's bytes: its fp32 absmax (not with DOUBLE_QUANT), then 32 code bytes.
const uint BLOCK_BYTES = DOUBLE_QUANT ? BLOCK / 2u : 4u + BLOCK / 2u;

layout(std430, binding = 0) readonly buffer Values {
    vec4 values[]; // four consecutive values each
};
layout(std430, binding = 2) writeonly buffer Dequantized {
    vec4 dequantized[];
};
layout(std430, binding = 3) readonly buffer DecodedAbsmax {
    float decodedAbsmax[]; // a'_k of the chunk's blocks (DOUBLE_QUANT)
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint rowLength;
    uint blockLength;
    uint blocks; // blocks in this chunk
}
parameters;

#define STAGED_WORDS (64u * (4u + BLOCK / 2u) / 4u + 2u) // 64 blocks
#include "lane_rounds.glsl"

void encodeUnit(uint block, uint local, uint part) {
    vec4 x[2];
    float absmax = 0.0;
    [[unroll]] for (uint i = 0u; i < 2u; ++i) {
        x[i] = values[(BLOCK / 4u) * block + 8u * i + part];
        [[unroll]] for (uint k = 0u; k < 4u; ++k) absmax = stdMax(absmax, abs(x[i][k]));
    }
    absmax = groupLargestFromZero(absmax);
    const float scale = DOUBLE_QUANT ? decodedAbsmax[block] : absmax;
    const uint blockBit = 8u * BLOCK_BYTES * local; // from the workgroup's first packed byte
    const uint codesBit = blockBit + (DOUBLE_QUANT ? 0u : 32u);
    if (!DOUBLE_QUANT && part == 0u)
        stageBits(blockBit, floatBitsToUint(absmax));
    const uint zeroCode = FP4 ? 0u : 7u;
    [[unroll]] for (uint i = 0u; i < 2u; ++i) {
        vec4 y;
        uint bytes = 0u; // values 2b and 2b + 1 in the high and low nibble of byte b
        [[unroll]] for (uint k = 0u; k < 4u; ++k) {
            const uint code = scale > 0.0 ? codeOfQuotient(x[i][k], scale) : zeroCode;
            bytes |= code << (8u * (k / 2u) + ((k & 1u) == 0u ? 4u : 0u));
            precise float value = fourBitLevel(code) * scale;
            y[k] = value;
            addError(x[i][k], value);
        }
        stageBits(codesBit + 8u * (16u * i + 2u * part), bytes);
        dequantized[(BLOCK / 4u) * block + 8u * i + part] = y;
    }
}

void main() {
    laneRounds(parameters.blocks, BLOCK_BYTES);
}
