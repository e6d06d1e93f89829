// SPDX-License-Identifier: MIT
// The codes of NF4 and FP4 (core/quant/NormalFloatFormat.h is the spec), shared by
// normal_float.comp (one invocation per block) and normal_float_lanes.comp (eight): a value's
// 4-bit code from its quotient by the block's scale, and the level a code decodes to.
// Specialization constant 0 chooses FP4 (else NF4).
#ifndef BITLENS_NORMAL_FLOAT_CODES_GLSL
#define BITLENS_NORMAL_FLOAT_CODES_GLSL

#include "common.glsl"
#include "minifloat.glsl"

layout(constant_id = 0) const bool FP4 = false;

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

#endif
