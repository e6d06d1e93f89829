// SPDX-License-Identifier: MIT
// NF4 / FP4 and their double-quantized variants (core/quant/NormalFloatFormat.h is the spec):
// one invocation per 64-value block. Specialization constants: FP4 (else NF4); DOUBLE_QUANT:
// the block's decoded absmax a'_k comes from binding 3 (the host double-quantized the absmax
// values measured by the ABSMAX_ONLY pass) and the chunk's codes are 32 bytes per block; else
// each block is its fp32 absmax then 32 code bytes. ABSMAX_ONLY: the scan pass, which only
// writes each block's absmax (4 little-endian bytes per block) to binding 1.
// Buffer traffic as in ggml_small.comp: values read once as octets, dequantized values written as
// octets, codes a 32-bit word (eight values) per store, error sums in the kernel.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "float_octets.glsl"
#include "minifloat.glsl"

#define BLOCK 64u

layout(local_size_x = 64) in;
layout(constant_id = 0) const bool FP4 = false;
layout(constant_id = 1) const bool DOUBLE_QUANT = false;
layout(constant_id = 2) const bool ABSMAX_ONLY = false;

#include "input_windows.glsl"
layout(std430, binding = 1) writeonly buffer PackedWords {
    uint packedWords[]; // blocks are 36 or 32 bytes: every field starts on a word
};
layout(std430, binding = 2) writeonly buffer DequantizedOctets {
    u64vec4 dequantizedOctets[];
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

#include "error_partials.glsl"

// kNf4Levels as float32 bits (exact, independent of how a compiler parses decimal literals).
const uint NF4_LEVEL_BITS[16] =
    uint[16](0xbf800000u, 0xbf3239b1u, 0xbf066b30u, 0xbeca32a0u, 0xbe91a24du, 0xbe3d353fu,
             0xbdba7871u, 0x00000000u, 0x3da2faffu, 0x3e24cae3u, 0x3e7c04ddu, 0x3ead033au,
             0x3ee1a4b8u, 0x3f1007abu, 0x3f3913b3u, 0x3f800000u);

float nf4Level(uint code) {
    return uintBitsToFloat(NF4_LEVEL_BITS[code]);
}

float nf4Midpoint(uint i) {
    precise float sum = nf4Level(i) + nf4Level(i + 1u);
    precise float midpoint = sum * 0.5;
    return midpoint;
}

// fourBitCode: NF4 counts the midpoints below t (a tie goes to the lower code); FP4 is E2M1 of
// t * 6.
uint fourBitCode(float normalised) {
    if (FP4) {
        precise float scaled = normalised * 6.0;
        return floatToMinifloat(scaled, E2M1);
    }
    uint code = 0u;
    for (uint i = 0u; i < 15u; ++i) {
        if (normalised > nf4Midpoint(i))
            ++code;
    }
    return code;
}

// Moves `code` (a multiple of 2 * step) up by `step` when q lies above the midpoint below code +
// step, choosing that midpoint among the candidates without indexing; `near` records whether q
// lies within `tolerance` of it.
void searchStep(float q, float tolerance, uint step, inout uint code, inout bool near) {
    float midpoint = nf4Midpoint(step - 1u);
    [[unroll]] for (uint candidate = 2u * step; candidate < 16u; candidate += 2u * step) {
        midpoint = code == candidate ? nf4Midpoint(candidate + step - 1u) : midpoint;
    }
    code += q > midpoint ? step : 0u;
    near = near || abs(q - midpoint) <= tolerance;
}

// fourBitCode(exactDivide(x, scale)), skipping the exact division for NF4 where it cannot change
// the code: OpFDiv is within 2.5 ulp for divisors in [2^-126, 2^126], so a quotient further than
// 2^-20 of its magnitude from each midpoint of its binary search over the 15 midpoints takes the
// same path as the correctly rounded one. The double variants divide exactly at once (and hold no
// float division).
uint codeOfQuotient(float x, float scale) {
#ifndef DOUBLE_DIVISION
    if (!FP4 && scale >= uintBitsToFloat(0x00800000u) && scale <= uintBitsToFloat(0x7e800000u)) {
        const float q = x / scale;
        precise float tolerance = abs(q) * 9.5367431640625e-7 + 7.52316384526264e-37; // 2^-20, -120
        uint code = 0u;
        bool near = false;
        searchStep(q, tolerance, 8u, code, near);
        searchStep(q, tolerance, 4u, code, near);
        searchStep(q, tolerance, 2u, code, near);
        searchStep(q, tolerance, 1u, code, near);
        if (!near)
            return code;
    }
#endif
    return fourBitCode(exactDivide(x, scale));
}

// nf4Level(code) for a code that varies per invocation, as a tree of selections (a table indexed
// per lane costs lavapipe a memory access per lane).
float nf4LevelSelected(uint code) {
    float pairs[8];
    [[unroll]] for (uint i = 0u; i < 8u; ++i) {
        pairs[i] = (code & 1u) != 0u ? nf4Level(2u * i + 1u) : nf4Level(2u * i);
    }
    float quads[4];
    [[unroll]] for (uint i = 0u; i < 4u; ++i) {
        quads[i] = (code & 2u) != 0u ? pairs[2u * i + 1u] : pairs[2u * i];
    }
    const float low = (code & 4u) != 0u ? quads[1] : quads[0];
    const float high = (code & 4u) != 0u ? quads[3] : quads[2];
    return (code & 8u) != 0u ? high : low;
}

float fourBitLevel(uint code) {
    return FP4 ? exactDivide(minifloatToFloat(code, E2M1), 6.0) : nf4LevelSelected(code);
}

void main() {
    const uint block = linearWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (block >= parameters.blocks)
        return;
    float x[BLOCK];
    [[unroll]] for (uint k = 0u; k < BLOCK / 8u; ++k) {
        const u64vec4 octet = inputOctet(block * (BLOCK / 8u) + k);
        [[unroll]] for (uint w = 0u; w < 4u; ++w) {
            const vec2 pair = wordFloats(octet[w]);
            x[8u * k + 2u * w] = pair.x;
            x[8u * k + 2u * w + 1u] = pair.y;
        }
    }
    float absmax = 0.0;
    [[unroll]] for (uint i = 0u; i < BLOCK; ++i) {
        absmax = stdMax(absmax, abs(x[i]));
    }
    if (ABSMAX_ONLY) {
        packedWords[block] = floatBitsToUint(absmax);
        return;
    }
    const float scale = DOUBLE_QUANT ? decodedAbsmax[block] : absmax;
    uint wordAt = block * (BLOCK / 8u);
    if (!DOUBLE_QUANT) {
        wordAt = block * (1u + BLOCK / 8u);
        packedWords[wordAt] = floatBitsToUint(absmax);
        wordAt += 1u;
    }
    const uint zeroCode = FP4 ? 0u : 7u;
    float y[BLOCK];
    [[unroll]] for (uint w = 0u; w < BLOCK / 8u; ++w) {
        uint word = 0u;
        [[unroll]] for (uint j = 8u * w; j < 8u * w + 8u; ++j) {
            const uint code = scale > 0.0 ? codeOfQuotient(x[j], scale) : zeroCode;
            // byte (j % 8) / 2 of the word, the first value of its pair in the high nibble
            word |= code << (8u * ((j % 8u) / 2u) + ((j & 1u) == 0u ? 4u : 0u));
            precise float value = fourBitLevel(code) * scale;
            y[j] = value;
            addError(x[j], value);
        }
        packedWords[wordAt + w] = word;
    }
    storeErrorPartials();
    [[unroll]] for (uint k = 0u; k < BLOCK / 8u; ++k) {
        const uint j = 8u * k;
        dequantizedOctets[block * (BLOCK / 8u) + k] =
            u64vec4(floatsWord(y[j], y[j + 1u]), floatsWord(y[j + 2u], y[j + 3u]),
                    floatsWord(y[j + 4u], y[j + 5u]), floatsWord(y[j + 6u], y[j + 7u]));
    }
}
