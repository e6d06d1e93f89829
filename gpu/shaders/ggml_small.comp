// SPDX-License-Identifier: MIT
// ggml's 32-value blocks Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL and MXFP4
// (core/quant/GgmlSmallBlocks.cpp is the spec, itself ggml's quantize_row_*_ref): one invocation
// encodes one block and decodes it again the way dequantize_row_* does. Variants ggml_q4_0 ...
// ggml_q8_0, ggml_iq4_nl, ggml_mxfp4 (-DQ4_0 ... -DQ8_0, -DIQ4_NL, -DMXFP4).
// Reciprocals are 1/d as in ggml, multiplications and additions are not fused.
// Buffer traffic goes through float_octets.glsl: the block's values are read once, eight per
// access (through input_windows.glsl), its
// dequantized values written eight per access and its bytes (all formats but MXFP4's 17-byte
// blocks) two per access. The error sums come out with them (error_partials.glsl).
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "float_octets.glsl"
#include "ggml_rounding.glsl"
#include "ggml_small_values.glsl"
#include "reference_math.glsl"

layout(local_size_x = 64) in;
#include "input_windows.glsl"
layout(std430, binding = 1) writeonly buffer Packed {
    uint8_t packed[];
};
layout(std430, binding = 1) writeonly buffer PackedPairs {
    uint16_t packedPairs[];
};
#if defined(MIN_MAX) // 20- and 24-byte blocks: every field starts on a word
layout(std430, binding = 1) writeonly buffer PackedWords {
    uint packedWords[];
};
#endif
layout(std430, binding = 2) writeonly buffer DequantizedOctets {
    u64vec4 dequantizedOctets[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint rowLength;
    uint blockLength;
    uint blocks; // blocks in this chunk
}
parameters;

#include "error_partials.glsl"

// Stores an fp16 field at an even offset and returns the value a decoder reads back from it.
float storeHalf(uint at, float value) {
    const uint bits = floatToHalfBits(value);
    packedPairs[at >> 1] = uint16_t(bits);
    return halfBitsToFloat(bits);
}

// Value j of the block, from the private copy `x` that main() reads once; every loop over it is
// unrolled, so the indices are constants (IQ4_NL's search too: sixteen unrolled passes).
#define X(j) x[j]

// Low nibbles hold values 0..15, high nibbles 16..31.
#if defined(MXFP4)
void storeNibbles(uint at, int levels[32]) { // 17-byte blocks: `at` may be odd
    [[unroll]] for (uint j = 0u; j < 16u; ++j) packed[at + j] =
        uint8_t((levels[j] & 0xf) | ((levels[j + 16u] & 0xf) << 4));
}
#elif defined(MIN_MAX)
void storeNibbles(uint at, int levels[32]) { // `at` a multiple of 4: four bytes per store
    [[unroll]] for (uint i = 0u; i < 4u; ++i) {
        uint word = 0u;
        [[unroll]] for (uint b = 0u; b < 4u; ++b) {
            const uint j = 4u * i + b;
            word |= (uint(levels[j] & 0xf) | uint(levels[j + 16u] & 0xf) << 4) << (8u * b);
        }
        packedWords[at / 4u + i] = word;
    }
}
#else
void storeNibbles(uint at, int levels[32]) { // `at` even: two bytes per store
    [[unroll]] for (uint i = 0u; i < 8u; ++i) {
        const uint low = uint(levels[2u * i] & 0xf) | uint(levels[2u * i + 16u] & 0xf) << 4;
        const uint high = uint(levels[2u * i + 1u] & 0xf) | uint(levels[2u * i + 17u] & 0xf) << 4;
        packedPairs[(at >> 1) + i] = uint16_t(low | high << 8);
    }
}
#endif

#if defined(IQ4_NL)
const int kCodeBook[16] =
    int[16](-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);

// Index of the code-book entry nearest to v, and that entry; ties go to the upper entry. The
// CPU's binary search as a scan without branches: between the outer entries, `high` is the first
// entry above v.
int nearestIndex(float v, out float entry) {
    entry = v <= -127.0 ? -127.0 : 113.0;
    if (v <= -127.0)
        return 0;
    if (v >= 113.0)
        return 15;
    int high = 1;
    float lower = -127.0;
    float upper = -104.0;
    [[unroll]] for (int i = 1; i < 15; ++i) {
        const bool above = v >= float(kCodeBook[i]);
        high = above ? i + 1 : high;
        lower = above ? float(kCodeBook[i]) : lower;
        upper = above ? float(kCodeBook[i + 1]) : upper;
    }
    precise float below = v - lower;
    precise float toUpper = upper - v;
    entry = below < toUpper ? lower : upper;
    return below < toUpper ? high - 1 : high;
}

// x^2-weighted sums of q * x and q * q for the code-book levels that id gives.
void codeBookSums(float x[32], float id, out HeldFloat qx, out HeldFloat q2) {
    HeldFloat sumqx = 0.0;
    HeldFloat sumq2 = 0.0;
    [[unroll]] for (uint j = 0u; j < 32u; ++j) {
        precise float scaled = id * X(j);
        float q;
        nearestIndex(scaled, q);
        const HeldFloat w = heldProduct(X(j), X(j));
        sumqx = heldSum(sumqx, heldProduct(heldProduct(w, q), X(j)));
        sumq2 = heldSum(sumq2, heldProduct(heldProduct(w, q), q));
    }
    qx = sumqx;
    q2 = sumq2;
}
#endif

void main() {
    const uint block = linearWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (block >= parameters.blocks)
        return;
    const uint first = block * 32u;
    const uint at = block * BLOCK_BYTES;
    float x[32];
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const u64vec4 octet = inputOctet(block * 4u + k);
        [[unroll]] for (uint w = 0u; w < 4u; ++w) {
            const vec2 pair = wordFloats(octet[w]);
            x[8u * k + 2u * w] = pair.x;
            x[8u * k + 2u * w + 1u] = pair.y;
        }
    }
    float y[32]; // the dequantized block
#if defined(IQ4_NL)
    // The search of ggml_quantize_chunk without importance matrix (GgmlSmallBlocks.cpp).
    float d = 0.0;
    float signedMax = 0.0;
    float amax = 0.0;
    [[unroll]] for (uint j = 0u; j < 32u; ++j) {
        if (abs(X(j)) > amax) {
            amax = abs(X(j));
            signedMax = X(j);
        }
    }
    if (abs(signedMax) >= uintBitsToFloat(0x26901d7du)) { // 1e-15f
        HeldFloat sumqx;
        HeldFloat sumq2;
        codeBookSums(x, exactDivide(1.0, exactDivide(-signedMax, -127.0)), sumqx, sumq2);
        d = sumq2 > 0.0 ? heldQuotient(sumqx, sumq2) : 0.0;
        HeldFloat best = heldProduct(d, sumqx);
        for (int trial = -7; trial <= 7; ++trial) {
            codeBookSums(x, exactDivide(float(trial - 127), signedMax), sumqx, sumq2);
            const HeldFloat gain = heldProduct(sumqx, sumqx);
            const HeldFloat kept = heldProduct(best, sumq2);
            if (sumq2 > 0.0 && gain > kept) {
                d = heldQuotient(sumqx, sumq2);
                best = heldProduct(d, sumqx);
            }
        }
    }
    const float stored = storeHalf(at, d);
    const float id = reciprocalOrZero(d);
    int levels[32];
    [[unroll]] for (uint j = 0u; j < 32u; ++j) {
        precise float scaled = id * X(j);
        float entry;
        levels[j] = nearestIndex(scaled, entry);
        precise float value = stored * entry;
        y[j] = value;
    }
    storeNibbles(at + 2u, levels);
#elif defined(MXFP4)
    float amax = 0.0;
    [[unroll]] for (uint j = 0u; j < 32u; ++j) amax = stdMax(amax, abs(X(j)));
    const BlockScale s = blockScale(amax);
    packed[at] = uint8_t(s.fields);
    int levels[32];
    [[unroll]] for (uint j = 0u; j < 32u; ++j) {
        levels[j] = int(blockCode(X(j), s));
        y[j] = blockValue(uint(levels[j]), s);
    }
    storeNibbles(at + 1u, levels);
#elif defined(Q8_0)
    float amax = 0.0;
    [[unroll]] for (uint j = 0u; j < 32u; ++j) amax = stdMax(amax, abs(X(j)));
    const BlockScale s = blockScale(amax);
    packedPairs[at >> 1] = uint16_t(s.fields);
    [[unroll]] for (uint i = 0u; i < 16u; ++i) {
        uint pair = 0u;
        [[unroll]] for (uint part = 0u; part < 2u; ++part) {
            const uint j = 2u * i + part;
            const uint byte = blockCode(X(j), s);
            pair |= byte << (8u * part);
            y[j] = blockValue(byte, s);
        }
        packedPairs[((at + 2u) >> 1) + i] = uint16_t(pair);
    }
#else
#if defined(CENTERED)
    float amax = 0.0;
    float signedMax = 0.0;
    [[unroll]] for (uint j = 0u; j < 32u; ++j) {
        if (abs(X(j)) > amax) {
            amax = abs(X(j));
            signedMax = X(j);
        }
    }
    const BlockScale s = blockScale(signedMax);
    packedPairs[at >> 1] = uint16_t(s.fields);
    const uint fifthAt = at + 2u;
#else
    float lowest = 3.4028234663852886e38;
    float highest = -3.4028234663852886e38;
    [[unroll]] for (uint j = 0u; j < 32u; ++j) {
        if (X(j) < lowest)
            lowest = X(j);
        if (X(j) > highest)
            highest = X(j);
    }
    const BlockScale s = blockScale(lowest, highest);
    packedWords[at / 4u] = s.fields;
    const uint fifthAt = at + 4u;
#endif
    int levels[32];
    [[unroll]] for (uint j = 0u; j < 32u; ++j) {
        levels[j] = int(blockCode(X(j), s));
        y[j] = blockValue(uint(levels[j]), s);
    }
#if BITS == 5
    uint fifth = 0u;
    [[unroll]] for (uint j = 0u; j < 32u; ++j) fifth |= uint((levels[j] >> 4) & 1) << j;
#if defined(MIN_MAX)
    packedWords[fifthAt / 4u] = fifth;
#else
    packedPairs[fifthAt >> 1] = uint16_t(fifth & 0xffffu);
    packedPairs[(fifthAt >> 1) + 1u] = uint16_t(fifth >> 16);
#endif
    const uint nibblesAt = fifthAt + 4u;
#else
    const uint nibblesAt = fifthAt;
#endif
    storeNibbles(nibblesAt, levels);
#endif
    [[unroll]] for (uint j = 0u; j < 32u; ++j) {
        addError(x[j], y[j]);
    }
    storeErrorPartials();
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint j = 8u * k;
        dequantizedOctets[block * 4u + k] =
            u64vec4(floatsWord(y[j], y[j + 1u]), floatsWord(y[j + 2u], y[j + 3u]),
                    floatsWord(y[j + 4u], y[j + 5u]), floatsWord(y[j + 6u], y[j + 7u]));
    }
}
