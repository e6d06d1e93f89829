// SPDX-License-Identifier: MIT
// NF4 / FP4 and their double-quantized variants (core/quant/NormalFloatFormat.h is the spec):
// one invocation per 64-value block. Specialization constants: FP4 (else NF4); DOUBLE_QUANT:
// the block's decoded absmax a'_k comes from binding 3 (the host double-quantized the absmax
// values measured by the ABSMAX_ONLY pass) and the chunk's codes are 32 bytes per block; else
// each block is its fp32 absmax then 32 code bytes. ABSMAX_ONLY: the scan pass, which only
// writes each block's absmax (4 little-endian bytes per block) to binding 1.
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#include "common.glsl"
#include "minifloat.glsl"

#define BLOCK 64u

layout(local_size_x = 64) in;
layout(constant_id = 0) const bool FP4 = false;
layout(constant_id = 1) const bool DOUBLE_QUANT = false;
layout(constant_id = 2) const bool ABSMAX_ONLY = false;

layout(std430, binding = 0) readonly buffer Values {
    float values[];
};
layout(std430, binding = 1) writeonly buffer Packed {
    uint8_t packed[];
};
layout(std430, binding = 2) writeonly buffer Dequantized {
    float dequantized[];
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

#include "packed_bytes.glsl"

// kNf4Levels as float32 bits (exact, independent of how a compiler parses decimal literals).
const uint NF4_LEVEL_BITS[16] =
    uint[16](0xbf800000u, 0xbf3239b1u, 0xbf066b30u, 0xbeca32a0u, 0xbe91a24du, 0xbe3d353fu,
             0xbdba7871u, 0x00000000u, 0x3da2faffu, 0x3e24cae3u, 0x3e7c04ddu, 0x3ead033au,
             0x3ee1a4b8u, 0x3f1007abu, 0x3f3913b3u, 0x3f800000u);

float nf4Level(uint code) {
    return uintBitsToFloat(NF4_LEVEL_BITS[code]);
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
        precise float sum = nf4Level(i) + nf4Level(i + 1u);
        precise float midpoint = sum * 0.5;
        if (normalised > midpoint)
            ++code;
    }
    return code;
}

float fourBitLevel(uint code) {
    return FP4 ? exactDivide(minifloatToFloat(code, E2M1), 6.0) : nf4Level(code);
}

void main() {
    const uint block = linearWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (block >= parameters.blocks)
        return;
    const uint first = block * BLOCK;
    float absmax = 0.0;
    for (uint i = 0u; i < BLOCK; ++i)
        absmax = stdMax(absmax, abs(values[first + i]));
    if (ABSMAX_ONLY) {
        storeU32(block * 4u, floatBitsToUint(absmax));
        return;
    }
    const float scale = DOUBLE_QUANT ? decodedAbsmax[block] : absmax;
    uint at = block * (BLOCK / 2u);
    if (!DOUBLE_QUANT) {
        at = block * (4u + BLOCK / 2u);
        storeU32(at, floatBitsToUint(absmax));
        at += 4u;
    }
    const uint zeroCode = FP4 ? 0u : 7u;
    for (uint pair = 0u; pair < BLOCK / 2u; ++pair) {
        uint byte = 0u;
        for (uint second = 0u; second < 2u; ++second) {
            const uint index = first + 2u * pair + second;
            const uint code =
                scale > 0.0 ? fourBitCode(exactDivide(values[index], scale)) : zeroCode;
            byte |= code << (4u - 4u * second); // the first value of a pair in the high nibble
            precise float value = fourBitLevel(code) * scale;
            dequantized[index] = value;
        }
        packed[at + pair] = uint8_t(byte);
    }
}
