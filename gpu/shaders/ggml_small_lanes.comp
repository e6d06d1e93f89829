// SPDX-License-Identifier: MIT
// ggml's 32-value blocks Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and MXFP4 with eight invocations per block,
// for GPUs (variants ggml_q4_0_lanes ... ggml_mxfp4_lanes): the same bytes, dequantized values and
// error partials as ggml_small.comp, whose workgroups and push constants it takes (64 blocks per
// workgroup), with the arithmetic of ggml_small_values.glsl. lane_rounds.glsl gives each aligned
// group of eight invocations a block per round; invocation `part` of it reads values
// 4 * part .. 4 * part + 3 as one vec4, so a subgroup's loads and dequantized stores cover
// consecutive bytes. The block's extremes come from lane_groups.glsl, which keeps the CPU's
// choice among equal values, and the packed bytes go out through staged_packing.glsl.
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#include "common.glsl"
#include "float_octets.glsl"
#include "ggml_rounding.glsl"
#include "ggml_small_values.glsl"
#include "lane_groups.glsl"
#include "reference_math.glsl"

#if defined(IQ4_NL)
#error "IQ4_NL's scale search sums a block in order: ggml_small.comp only"
#endif

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

// Byte offsets in a block: the fifth bits (Q5_0, Q5_1) and the codes.
#if defined(Q8_0) || defined(CENTERED)
#define FIELDS_BYTES 2u
#elif defined(MIN_MAX)
#define FIELDS_BYTES 4u
#else // MXFP4
#define FIELDS_BYTES 1u
#endif
#if BITS == 5
#define FIFTH_AT FIELDS_BYTES
#define CODES_AT (FIELDS_BYTES + 4u)
#else
#define CODES_AT FIELDS_BYTES
#endif

// Encodes this invocation's four values of block `block` (the workgroup's `local`-th) and
// writes their dequantized values; the group's extremes give the block's scale.
void encodeUnit(uint block, uint local, uint part) {
    const vec4 x = values[8u * block + part];
    const uint blockBit = 8u * BLOCK_BYTES * local; // from the workgroup's first packed byte
#if defined(CENTERED)
    float amax = 0.0;
    float signedMax = 0.0;
    uint index = 4u * part;
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        if (abs(x[k]) > amax) {
            amax = abs(x[k]);
            signedMax = x[k];
            index = 4u * part + k;
        }
    }
    const BlockScale s = blockScale(groupLargestMagnitude(signedMax, index));
#elif defined(MIN_MAX)
    float lowest = 3.4028234663852886e38;
    float highest = -3.4028234663852886e38;
    uint lowestIndex = 4u * part;
    uint highestIndex = 4u * part;
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        if (x[k] < lowest) {
            lowest = x[k];
            lowestIndex = 4u * part + k;
        }
        if (x[k] > highest) {
            highest = x[k];
            highestIndex = 4u * part + k;
        }
    }
    const BlockScale s = blockScale(groupFirstExtreme(lowest, lowestIndex, true),
                                    groupFirstExtreme(highest, highestIndex, false));
#else // Q8_0, MXFP4
    float amax = 0.0;
    [[unroll]] for (uint k = 0u; k < 4u; ++k) amax = stdMax(amax, abs(x[k]));
    const BlockScale s = blockScale(groupLargestFromZero(amax));
#endif
    if (part == 0u)
        stageBits(blockBit, s.fields);
    vec4 y;
    uint codes = 0u; // the four codes at the bits they take in their bytes
#if BITS == 5
    uint fifths = 0u;
#endif
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint code = blockCode(x[k], s);
        y[k] = blockValue(code, s);
        addError(x[k], y[k]);
        codes |= (code & 0xffu) << (8u * k);
#if BITS == 5
        fifths |= ((code >> 4) & 1u) << k;
#endif
    }
#if defined(Q8_0)
    stageBits(blockBit + 8u * (CODES_AT + 4u * part), codes);
#else
    // Byte j of the codes holds value j in its low nibble and value j + 16 in its high one.
    const uint nibbles = codes & 0x0f0f0f0fu;
    stageBits(blockBit + 8u * (CODES_AT + 4u * (part % 4u)) + (part >= 4u ? 4u : 0u), nibbles);
#endif
#if BITS == 5
    stageBits(blockBit + 8u * FIFTH_AT + 4u * part, fifths);
#endif
    dequantized[8u * block + part] = y;
}

void main() {
    laneRounds(parameters.blocks, BLOCK_BYTES);
}
