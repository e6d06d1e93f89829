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
#include "normal_float_codes.glsl"

#define BLOCK 64u

layout(local_size_x = 64) in;
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
