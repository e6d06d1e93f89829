// SPDX-License-Identifier: MIT
// The group formats "int{B}-g{G}-{sym|asym}[-fp32]" with G a multiple of 32 up to 256, and the
// per-channel "int{B}-ch-..." without the MSE search, for GPUs (variants int_quant_b2_lanes ..
// int_quant_b8_lanes): the same bytes, dequantized values and error partials as int_quant.comp,
// whose push constants and specialization it takes, with the arithmetic of int_codes.glsl.
// Groups: int_quant.comp's workgroups (64 groups each). Rows (GROUP_LENGTH 0): one workgroup per
// row (encodeRow). lane_rounds.glsl gives each aligned group
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
// G, the values of a group, 0 for per-channel rows (IntegerKernel gives it to both kernels;
// int_quant.comp ignores it).
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

// Group formats stage 64 groups of at most a 4-byte scale, then (G + 1) fields of BITS bits;
// rows (GROUP_LENGTH 0) stage one row of up to ROW_STAGED_WORDS words (IntegerKernel's
// laneStagedBytes keeps both within 16 KiB).
#define ROW_STAGED_WORDS 3712u
#define STAGED_WORDS                                                                               \
    (GROUP_LENGTH == 0u ? ROW_STAGED_WORDS                                                         \
                        : 64u * (4u + ((GROUP_LENGTH + 1u) * UBITS + 7u) / 8u) / 4u + 2u)
#include "lane_rounds.glsl"

shared float rowLows[8]; // per group of eight invocations (rows)
shared float rowHighs[8];

// Stages the scale field and zero point of the unit whose bits start at unitBit; returns the bit
// its fields start at.
uint stageUnitHeader(uint unitBit, Scale s, bool stages) {
    const uint scaleBits = FP32_SCALE ? 32u : 16u;
    if (stages) {
        stageBits(unitBit, FP32_SCALE ? floatBitsToUint(s.scale) : floatToHalfBits(s.scale));
        if (!SYMMETRIC)
            stageBits(unitBit + scaleBits, uint(s.zero));
    }
    return unitBit + scaleBits + (SYMMETRIC ? 0u : UBITS);
}

// Encodes four consecutive values, the quad-th four of their unit, whose fields start at
// fieldsBit, and writes their dequantized values to dequantized[at].
void encodeQuad(vec4 x, Scale s, uint fieldsBit, uint quad, uint at) {
    vec4 y;
    uint fields = 0u; // the four fields one after another, 4 * BITS <= 32 bits
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint field = fieldOf(codeOf(x[k], s));
        y[k] = valueOfField(field, s);
        addError(x[k], y[k]);
        fields |= field << (UBITS * k);
    }
    stageBits(fieldsBit + 4u * UBITS * quad, fields);
    dequantized[at] = y;
}

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
    const uint fieldsBit = stageUnitHeader(8u * parameters.unitBytes * local, s, part == 0u);
    [[unroll]] for (uint i = 0u; i < CHUNKS; ++i)
        encodeQuad(x[i], s, fieldsBit, 8u * i + part, unit * (GROUP_LENGTH / 4u) + 8u * i + part);
    foldErrors();
}

// Per-channel formats: the whole workgroup encodes one row (a unit), invocation i its quads i,
// i + 64, ... (rows of a multiple of 4 values); the range is reduced over the groups of eight,
// then across them in shared memory.
void encodeRow() {
    const uint row = linearWorkgroup();
    if (row >= parameters.units)
        return; // the whole workgroup: the grid overshoots the chunk
    const uint lane = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
    const uint quads = parameters.unitLength / 4u;
    const uint first = row * quads;
    float lo = 0.0;
    float hi = 0.0;
    for (uint quad = lane; quad < quads; quad += 64u) {
        const vec4 x = values[first + quad];
        [[unroll]] for (uint k = 0u; k < 4u; ++k) {
            lo = stdMin(lo, x[k]);
            hi = stdMax(hi, x[k]);
        }
    }
    groupRangeFromZero(lo, hi);
    if (lane % 8u == 0u) {
        rowLows[lane / 8u] = lo;
        rowHighs[lane / 8u] = hi;
    }
    barrier();
    [[unroll]] for (uint group = 0u; group < 8u; ++group) {
        lo = stdMin(lo, rowLows[group]);
        hi = stdMax(hi, rowHighs[group]);
    }
    const Scale s = scaleForRange(lo, hi);
    beginStaging(row * parameters.unitBytes, (row + 1u) * parameters.unitBytes);
    const uint fieldsBit = stageUnitHeader(0u, s, lane == 0u);
    for (uint quad = lane; quad < quads; quad += 64u) {
        encodeQuad(values[first + quad], s, fieldsBit, quad, first + quad);
        foldErrors();
    }
    finishStaging();
    storeGroupErrorPartials(lane / 8u, lane % 8u);
}

void main() {
    if (GROUP_LENGTH == 0u)
        encodeRow();
    else
        laneRounds(parameters.units, parameters.unitBytes);
}
