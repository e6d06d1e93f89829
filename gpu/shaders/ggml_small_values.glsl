// SPDX-License-Identifier: MIT
// The arithmetic of ggml's 32-value blocks Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and MXFP4
// (core/quant/GgmlSmallBlocks.cpp is the spec), shared by ggml_small.comp (one invocation per
// block) and ggml_small_lanes.comp (eight per block): a block's scale from its extremes, each
// value's stored code and the value a decoder reads from it. Reciprocals are 1/d as in ggml,
// multiplications and additions are not fused. The includer defines one of Q4_0 ... Q8_0, IQ4_NL,
// MXFP4.
#ifndef BITLENS_GGML_SMALL_VALUES_GLSL
#define BITLENS_GGML_SMALL_VALUES_GLSL

#include "common.glsl"
#include "ggml_rounding.glsl"
#include "reference_math.glsl"

#if defined(Q4_0)
#define BITS 4
#define CENTERED 1
#define BLOCK_BYTES 18u
#elif defined(Q5_0)
#define BITS 5
#define CENTERED 1
#define BLOCK_BYTES 22u
#elif defined(Q4_1)
#define BITS 4
#define MIN_MAX 1
#define BLOCK_BYTES 20u
#elif defined(Q5_1)
#define BITS 5
#define MIN_MAX 1
#define BLOCK_BYTES 24u
#elif defined(Q8_0)
#define BLOCK_BYTES 34u
#elif defined(IQ4_NL)
#define BLOCK_BYTES 18u
#elif defined(MXFP4)
#define BLOCK_BYTES 17u
#else
#error "define one of Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 IQ4_NL MXFP4"
#endif

// A block's scale as the codes and decoded values need it. `fields`: the block's leading bytes
// as one little-endian word (fp16 d; fp16 d and m for Q4_1 and Q5_1; MXFP4's exponent byte).
struct BlockScale {
    float id;        // 1 / d, 0 for d = 0 (MXFP4: d itself)
    float stored;    // d as a decoder reads it
    float storedMin; // m as a decoder reads it (Q4_1, Q5_1)
    float lowest;    // the block's lowest value (Q4_1, Q5_1)
    uint fields;
};

#if defined(CENTERED) || defined(MIN_MAX)
const int TOP = (1 << BITS) - 1;
#endif

#if defined(CENTERED)
const int MIDDLE = 1 << (BITS - 1);

// From the value of largest magnitude (the first one, +0 for an all-zero block).
BlockScale blockScale(float signedMax) {
    const float d = exactDivide(signedMax, float(-MIDDLE));
    const uint bits = floatToHalfBits(d);
    return BlockScale(reciprocalOrZero(d), halfBitsToFloat(bits), 0.0, 0.0, bits);
}

uint blockCode(float x, BlockScale s) {
    precise float shifted = x * s.id + (float(MIDDLE) + 0.5);
    return uint(min(TOP, int(shifted)));
}

float blockValue(uint code, BlockScale s) {
    precise float value = float(int(code) - MIDDLE) * s.stored;
    return value;
}
#elif defined(MIN_MAX)
// From the block's first lowest and first highest values.
BlockScale blockScale(float lowest, float highest) {
    precise float range = highest - lowest;
    const float d = exactDivide(range, float(TOP));
    const uint scaleBits = floatToHalfBits(d);
    const uint minBits = floatToHalfBits(lowest);
    return BlockScale(reciprocalOrZero(d), halfBitsToFloat(scaleBits), halfBitsToFloat(minBits),
                      lowest, scaleBits | (minBits << 16));
}

uint blockCode(float x, BlockScale s) {
    precise float shifted = (x - s.lowest) * s.id + 0.5;
    return uint(min(TOP, int(shifted)));
}

float blockValue(uint code, BlockScale s) {
    precise float value = float(code) * s.stored + s.storedMin;
    return value;
}
#elif defined(Q8_0)
// From the largest magnitude.
BlockScale blockScale(float amax) {
    const float d = exactDivide(amax, 127.0);
    const uint bits = floatToHalfBits(d);
    return BlockScale(reciprocalOrZero(d), halfBitsToFloat(bits), 0.0, 0.0, bits);
}

// The stored byte.
uint blockCode(float x, BlockScale s) {
    precise float scaled = x * s.id;
    return uint(int(roundHalfAwayFromZero(scaled))) & 0xffu;
}

// Decoded from the stored byte, as dequantize_row_q8_0 does (this also keeps compilers from
// turning float(int(x)) into trunc(x), which would keep the sign of -0).
float blockValue(uint code, BlockScale s) {
    precise float value = float(int(code << 24) >> 24) * s.stored;
    return value;
}
#elif defined(MXFP4)
const int kDoubledE2M1[16] = int[16](0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12);

// The E8M0 byte clamp(floor(log2f(amax)) - 2 + 127, 0, 254) of the CPU reference (ggml's own
// formula), for amax > 0 without a logarithm: floor(log2f) is the binary exponent, except that
// log2f, correctly rounded, reaches the next integer k for the top `count` mantissas below 2^k,
// count = floor(2^p * ln 2) with 2^p the binade of the float just below k (|k| >= 2); checked
// against glibc's log2f for every float. Subnormal amax gives byte 0 either way.
uint sharedExponent(float amax) {
    const uint bits = floatBitsToUint(amax);
    const int biased = int(bits >> 23);
    if (biased == 0)
        return 0u;
    const int next = biased - 126; // k: amax lies in [2^(k-1), 2^k)
    const int topMantissas[7] = int[7](0, 1, 2, 5, 11, 22, 44);
    int count = 0;
    if (next >= 2)
        count = topMantissas[findMSB(next - 1)];
    else if (next <= -2)
        count = topMantissas[findMSB(-next)];
    const int roundsUp = int(bits & 0x7fffffu) >= 0x800000 - count && count > 0 ? 1 : 0;
    return uint(clamp(biased + roundsUp - 2, 0, 254));
}

// 2^(e - 128) as ggml's e8m0 half-scale (e < 2: the subnormals 2^-128, 2^-127).
float halfScale(uint e) {
    return uintBitsToFloat(e < 2u ? 0x00200000u << e : (e - 1u) << 23);
}

// From the largest magnitude: `stored` and `id` are the half-scale d.
BlockScale blockScale(float amax) {
    const uint e = amax > 0.0 ? sharedExponent(amax) : 0u;
    const float d = halfScale(e);
    return BlockScale(d, d, 0.0, 0.0, e);
}

// The first index whose doubled E2M1 value times d lies nearest to x. d and x may be subnormal
// (blocks whose largest value is below 2^-125), hence the held arithmetic.
uint blockCode(float x, BlockScale s) {
    int best = 0;
    const HeldFloat scale = held(s.stored);
    const HeldFloat value = held(x);
    HeldFloat bestError = abs(heldDifference(heldProduct(float(kDoubledE2M1[0]), scale), value));
    [[unroll]] for (int i = 1; i < 16; ++i) {
        const HeldFloat error =
            abs(heldDifference(heldProduct(float(kDoubledE2M1[i]), scale), value));
        if (error < bestError) {
            best = i;
            bestError = error;
        }
    }
    return uint(best);
}

float blockValue(uint code, BlockScale s) {
    return heldToFloat(heldProduct(float(kDoubledE2M1[code]), held(s.stored)));
}
#endif

#endif
