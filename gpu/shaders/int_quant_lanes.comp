// SPDX-License-Identifier: MIT
// The group formats "int{B}-g{G}-{sym|asym}[-fp32]" with G a multiple of 32 up to 256, for GPUs
// (variants int_quant_b2_lanes .. int_quant_b8_lanes): the same bytes, dequantized values and error
// partials as int_quant.comp, whose push constants, specialization and workgroups (64 groups
// each) it takes, with the arithmetic of int_codes.glsl. lane_rounds.glsl gives each aligned group
// of eight invocations a group of values per round; invocation `part` reads values
// 32 * i + 4 * part .. + 3 of it as one vec4 for each i, so a subgroup's loads and dequantized
// stores cover consecutive bytes. The range comes from lane_groups.glsl and the packed bytes go
// out through staged_packing.glsl.
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#include "common.glsl"
#include "float_octets.glsl"
#include "int_codes.glsl"
#include "lane_groups.glsl"
#include "reference_math.glsl"

layout(local_size_x = 64) in;
// G, the values of a group (IntegerKernel gives it to both kernels; int_quant.comp ignores it).
layout(constant_id = 7) const uint GROUP_LENGTH = 32u;
const uint CHUNKS = GROUP_LENGTH / 32u; // vec4 loads per invocation and group, at most 8

layout(std430, binding = 0) readonly buffer Values {
    vec4 values[]; // four consecutive values each
};
layout(std430, binding = 2) writeonly buffer Dequantized {
    vec4 dequantized[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint rowLength;
    uint unitLength; // G
    uint unitBytes;  // scale bytes + bit-field bytes of one group
    uint units;      // groups in this chunk
    uint tensorScale;
    uint tensorZero;
}
parameters;

// 64 groups of at most a 4-byte scale, then (G + 1) fields of BITS bits (IntegerKernel's
// laneStagedBytes, which keeps it within 16 KiB).
#define STAGED_WORDS (64u * (4u + ((GROUP_LENGTH + 1u) * UBITS + 7u) / 8u) / 4u + 2u)
#include "lane_rounds.glsl"

// Encodes this invocation's values of group `unit` (the workgroup's `local`-th) and writes their
// dequantized values; the eight invocations' range gives the group's scale.
void encodeUnit(uint unit, uint local, uint part) {
    vec4 x[8];
    float lo = 0.0;
    float hi = 0.0;
    [[unroll]] for (uint i = 0u; i < CHUNKS; ++i) {
        x[i] = values[unit * (GROUP_LENGTH / 4u) + 8u * i + part];
        [[unroll]] for (uint k = 0u; k < 4u; ++k) {
            lo = stdMin(lo, x[i][k]);
            hi = stdMax(hi, x[i][k]);
        }
    }
    groupRangeFromZero(lo, hi);
    const Scale s = scaleForRange(lo, hi);
    const uint unitBit = 8u * parameters.unitBytes * local; // from the workgroup's first byte
    const uint scaleBits = FP32_SCALE ? 32u : 16u;
    const uint fieldsBit = unitBit + scaleBits + (SYMMETRIC ? 0u : UBITS);
    if (part == 0u) {
        stageBits(unitBit, FP32_SCALE ? floatBitsToUint(s.scale) : floatToHalfBits(s.scale));
        if (!SYMMETRIC)
            stageBits(unitBit + scaleBits, uint(s.zero));
    }
    [[unroll]] for (uint i = 0u; i < CHUNKS; ++i) {
        vec4 y;
        uint fields = 0u; // the four fields one after another, 4 * BITS <= 32 bits
        [[unroll]] for (uint k = 0u; k < 4u; ++k) {
            const uint field = fieldOf(codeOf(x[i][k], s));
            y[k] = valueOfField(field, s);
            addError(x[i][k], y[k]);
            fields |= field << (UBITS * k);
        }
        stageBits(fieldsBit + UBITS * (32u * i + 4u * part), fields);
        dequantized[unit * (GROUP_LENGTH / 4u) + 8u * i + part] = y;
    }
    foldErrors();
}

void main() {
    laneRounds(parameters.units, parameters.unitBytes);
}
