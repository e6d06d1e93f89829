// SPDX-License-Identifier: MIT
// ggml's 256-value K super-blocks Q2_K, Q3_K, Q4_K, Q5_K and Q6_K (core/quant/GgmlKBlocks.cpp,
// GgmlSuperBlock.cpp and GgmlScaleSearch.cpp are the spec). One invocation per sub-block runs
// that sub-block's scale search; the invocations of a super-block then find its largest scale
// with subgroup shuffles (and shared memory between two groups of eight for 16 sub-blocks) to
// quantize the sub-block scales against the fp16 super-block scale and re-quantize their values
// with the scales as stored. Fields that share bytes are merged with subgroup shuffles and stored
// straight to the packed buffer as words (16-bit halves for the 110- and 210-byte blocks of Q3_K
// and Q6_K). Variants ggml_q2_k ... ggml_q6_k (-DQ2_K ... -DQ6_K). Float operations keep the CPU's
// order; divisions are IEEE. A sub-block's values are read (through input_windows.glsl) and its
// dequantized values written as octets (float_octets.glsl), and the error sums come out of the
// kernel (error_partials.glsl).
#version 450
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#include "common.glsl"
#include "exact_sqrt.glsl"
#include "float_octets.glsl"
#include "ggml_rounding.glsl"
#include "lane_groups.glsl"
#include "reference_math.glsl"

#if defined(Q2_K)
#define ASYMMETRIC 1
#define SUB_LENGTH 16u
#define NMAX 3
#define CODE_TOP 15
#define SWEEP_RMIN -0.5
#define SWEEP_STEPS 15
#define ABSOLUTE_ERROR 1
#define BLOCK_BYTES 84u
#elif defined(Q4_K)
#define ASYMMETRIC 1
#define RMS_WEIGHTS 1
#define SUB_LENGTH 32u
#define NMAX 15
#define CODE_TOP 63
#define SWEEP_RMIN -1.0
#define SWEEP_STEPS 20
#define BLOCK_BYTES 144u
#elif defined(Q5_K)
#define ASYMMETRIC 1
#define RMS_WEIGHTS 1
#define SUB_LENGTH 32u
#define NMAX 31
#define CODE_TOP 63
#define SWEEP_RMIN -0.5
#define SWEEP_STEPS 15
#define BLOCK_BYTES 176u
#elif defined(Q3_K)
#define SUB_LENGTH 16u
#define NMAX 4
#define CODE_HALF 32
#define BLOCK_BYTES 110u
#define EVEN_BLOCKS 1 // blocks of an even number of bytes, not a multiple of 4
#elif defined(Q6_K)
#define SUB_LENGTH 16u
#define NMAX 32
#define CODE_HALF 128
#define BLOCK_BYTES 210u
#define EVEN_BLOCKS 1
#else
#error "define one of Q2_K Q3_K Q4_K Q5_K Q6_K"
#endif

#define SUPER_BLOCK 256u
#define SUB_BLOCKS (SUPER_BLOCK / SUB_LENGTH)
#define GROUP_SIZE 64u
#define BLOCKS_PER_GROUP (GROUP_SIZE / SUB_BLOCKS)

layout(local_size_x = 64) in;
#include "input_windows.glsl"
#if defined(EVEN_BLOCKS)
layout(std430, binding = 1) writeonly buffer PackedPairs {
    uint16_t packedPairs[];
};
#else
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
    uint blocks; // super-blocks in this chunk
}
parameters;

#include "error_partials.glsl"

#if !defined(Q4_K) && !defined(Q5_K) // 16 sub-blocks: two groups of eight per super-block
#define TWO_GROUPS 1
shared float groupScale[GROUP_SIZE / 8u];
#if defined(ASYMMETRIC)
shared float groupMin[GROUP_SIZE / 8u];
#endif
#endif

// This invocation's sub-block and its levels.
float x[SUB_LENGTH];
uint level[SUB_LENGTH];

#if defined(ASYMMETRIC)
float weight[SUB_LENGTH];
uint trial[SUB_LENGTH];

uint levelAt(float iscale, float value, float lowest) {
    precise float scaled = iscale * (value - lowest);
    return uint(clamp(nearestInt(scaled), 0, NMAX));
}

// Weighted error of value ~ scale * l + offset for the levels given by `trial` or `level`.
#define WEIGHTED_ERROR(result, scale, offset, levels)                                              \
    {                                                                                              \
        HeldFloat sum = 0.0;                                                                       \
        [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) {                                        \
            precise float diff = scale * float(levels[i]) + offset - x[i];                         \
            precise float term = ABSOLUTE_ERROR != 0 ? abs(diff) : diff * diff;                    \
            sum = heldSum(sum, heldProduct(weight[i], term));                                      \
        }                                                                                          \
        result = sum;                                                                              \
    }
#if !defined(ABSOLUTE_ERROR)
#define ABSOLUTE_ERROR 0
#endif

// fitScaleAndMin: returns the scale and sets `offset` (>= 0, subtracted).
float fitScaleAndMin(out float offset) {
    float lowest = x[0];
    float highest = x[0];
    precise float sumW = weight[0];
    precise float sumX = sumW * x[0];
    [[unroll]] for (uint i = 1u; i < SUB_LENGTH; ++i) {
        lowest = stdMin(lowest, x[i]);
        highest = stdMax(highest, x[i]);
        sumW += weight[i];
        sumX += weight[i] * x[i];
    }
    lowest = stdMin(lowest, 0.0);
    if (highest == lowest) {
        [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) level[i] = 0u;
        offset = -lowest;
        return 0.0;
    }
    precise float range = highest - lowest;
    float iscale = exactDivide(float(NMAX), range);
    float scale = exactDivide(1.0, iscale);
    [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) level[i] = levelAt(iscale, x[i], lowest);
    HeldFloat bestError;
    WEIGHTED_ERROR(bestError, scale, lowest, level)
    // The levels of the best fit are levelAt(chosenIscale, x, chosenFrom): computed once more at
    // the end rather than copied at every better step.
    float chosenIscale = iscale;
    float chosenFrom = lowest;

    for (int step = 0; step <= SWEEP_STEPS; ++step) {
        precise float numerator =
            (SWEEP_RMIN + uintBitsToFloat(0x3dcccccdu) * float(step)) + float(NMAX);
        range = highest - lowest; // lowest moves with every better fit, as on the CPU
        iscale = exactDivide(numerator, range);
        const float from = lowest;
        precise float sumL = 0.0;
        precise float sumL2 = 0.0;
        precise float sumXL = 0.0;
        [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) {
            const uint l = levelAt(iscale, x[i], lowest);
            trial[i] = l;
            precise float weighted = weight[i] * float(l);
            sumL += weighted;
            sumL2 += weighted * float(l);
            sumXL += weighted * x[i];
        }
        const HeldFloat det = heldDifference(heldProduct(sumW, sumL2), heldProduct(sumL, sumL));
        if (det <= 0.0)
            continue;
        const HeldFloat scaleNumerator =
            heldDifference(heldProduct(sumW, sumXL), heldProduct(sumX, sumL));
        const HeldFloat minNumerator =
            heldDifference(heldProduct(sumL2, sumX), heldProduct(sumL, sumXL));
        float trialScale = heldQuotient(scaleNumerator, det);
        float trialMin = heldQuotient(minNumerator, det);
        if (trialMin > 0.0) {
            trialMin = 0.0;
            trialScale = exactDivide(sumXL, sumL2);
        }
        HeldFloat error;
        WEIGHTED_ERROR(error, trialScale, trialMin, trial)
        if (error < bestError) {
            chosenIscale = iscale;
            chosenFrom = from;
            bestError = error;
            scale = trialScale;
            lowest = trialMin;
        }
    }
    [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) level[i] =
        levelAt(chosenIscale, x[i], chosenFrom);
    offset = -lowest;
    return scale;
}

// quantizeUnsignedCodes for one value: its code 0..CODE_TOP against the largest of the block.
uint unsignedCode(float largest, float value) {
    const float inverse = largest > 0.0 ? exactDivide(float(CODE_TOP), largest) : 0.0;
    precise float scaled = inverse * value;
    return min(uint(CODE_TOP), uint(nearestInt(scaled)) & 0xffu);
}
#else
int signedLevel[SUB_LENGTH];

// Level of one value for iscale, clamped to [-NMAX, NMAX - 1].
int symmetricLevel(float iscale, float value) {
    precise float scaled = iscale * value;
    return clamp(nearestInt(scaled), -NMAX, NMAX - 1);
}

float signedAbsMaxOfSubBlock() {
    float amax = 0.0;
    float signedMax = 0.0;
    [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) {
        if (abs(x[i]) > amax) {
            amax = abs(x[i]);
            signedMax = x[i];
        }
    }
    return signedMax;
}

#if defined(Q3_K)
// fitSymmetricByLevelMoves.
float fitSubBlock() {
    const float largest = signedAbsMaxOfSubBlock();
    if (abs(largest) < uintBitsToFloat(0x26901d7du)) { // 1e-15f
        [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) level[i] = 0u;
        return 0.0;
    }
    const float iscale = exactDivide(float(-NMAX), largest);
    HeldFloat sumlx = 0.0;
    HeldFloat suml2 = 0.0;
    [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) {
        const int l = symmetricLevel(iscale, x[i]);
        signedLevel[i] = l;
        const HeldFloat w = heldProduct(x[i], x[i]);
        sumlx = heldSum(sumlx, heldProduct(heldProduct(w, x[i]), float(l)));
        suml2 = heldSum(suml2, heldProduct(heldProduct(w, float(l)), float(l)));
    }
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) {
            const HeldFloat w = heldProduct(x[i], x[i]);
            const float level = float(signedLevel[i]);
            HeldFloat slx = heldDifference(sumlx, heldProduct(heldProduct(w, x[i]), level));
            if (slx <= 0.0)
                continue;
            HeldFloat sl2 = heldDifference(suml2, heldProduct(heldProduct(w, level), level));
            const HeldFloat numerator = heldProduct(x[i], sl2);
            const int moved = clamp(nearestIntOfHeldQuotient(numerator, slx), -NMAX, NMAX - 1);
            if (moved == signedLevel[i])
                continue;
            slx = heldSum(slx, heldProduct(heldProduct(w, x[i]), float(moved)));
            sl2 = heldSum(sl2, heldProduct(heldProduct(w, float(moved)), float(moved)));
            const HeldFloat gain = heldProduct(heldProduct(slx, slx), suml2);
            const HeldFloat kept = heldProduct(heldProduct(sumlx, sumlx), sl2);
            if (sl2 > 0.0 && gain > kept) {
                signedLevel[i] = moved;
                sumlx = slx;
                suml2 = sl2;
                ++changed;
            }
        }
        if (changed == 0)
            break;
    }
    [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) level[i] = uint(signedLevel[i] + NMAX);
    return suml2 > 0.0 ? heldQuotient(sumlx, suml2) : 0.0;
}
#else
// fitSymmetricByScaleSweep: x^2-weighted sums for the levels of iscale, kept in signedLevel.
void symmetricSums(float iscale, out HeldFloat sumlx, out HeldFloat suml2) {
    HeldFloat lx = 0.0;
    HeldFloat l2 = 0.0;
    [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) {
        const int l = symmetricLevel(iscale, x[i]);
        signedLevel[i] = l;
        const HeldFloat w = heldProduct(x[i], x[i]);
        lx = heldSum(lx, heldProduct(heldProduct(w, x[i]), float(l)));
        l2 = heldSum(l2, heldProduct(heldProduct(w, float(l)), float(l)));
    }
    sumlx = lx;
    suml2 = l2;
}

float fitSubBlock() {
    const float largest = signedAbsMaxOfSubBlock();
    if (abs(largest) < uintBitsToFloat(0x26901d7du)) { // 1e-15f
        [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) level[i] = 0u;
        return 0.0;
    }
    HeldFloat sumlx;
    HeldFloat suml2;
    float bestIscale = exactDivide(float(-NMAX), largest);
    symmetricSums(bestIscale, sumlx, suml2);
    float scale = suml2 != 0.0 ? heldQuotient(sumlx, suml2) : 0.0;
    HeldFloat best = heldProduct(scale, sumlx);
    for (int step = -9; step <= 9; ++step) {
        if (step == 0)
            continue;
        precise float numerator = -(float(NMAX) + uintBitsToFloat(0x3dcccccdu) * float(step));
        const float iscale = exactDivide(numerator, largest);
        symmetricSums(iscale, sumlx, suml2);
        const HeldFloat gain = heldProduct(sumlx, sumlx);
        const HeldFloat kept = heldProduct(best, suml2);
        if (suml2 > 0.0 && gain > kept) {
            bestIscale = iscale;
            scale = heldQuotient(sumlx, suml2);
            best = heldProduct(scale, sumlx);
        }
    }
    // The levels of the chosen iscale, computed once more rather than copied at every step.
    symmetricSums(bestIscale, sumlx, suml2);
    [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) level[i] = uint(signedLevel[i] + NMAX);
    return scale;
}
#endif
#endif

// Stores the little-endian bytes of `chunk` at byte `at` of this chunk's blocks: one word where
// blocks are a multiple of 4 bytes long (`at` is then a multiple of 4), two 16-bit halves for
// Q3_K and Q6_K (`at` even).
void storeChunk(uint at, uint chunk) {
#if defined(EVEN_BLOCKS)
    packedPairs[at / 2u] = uint16_t(chunk & 0xffffu);
    packedPairs[at / 2u + 1u] = uint16_t(chunk >> 16);
#else
    packedWords[at / 4u] = chunk;
#endif
}

#if defined(EVEN_BLOCKS)
// Stores the low 16 bits of `pair` at even byte `at`.
void storePair(uint at, uint pair) {
    packedPairs[at / 2u] = uint16_t(pair & 0xffffu);
}
#endif

// Four consecutive levels from `first` as bytes, each shifted by `shift` within its byte.
uint levelBytes(uint first, uint mask, uint down, uint shift) {
    uint chunk = 0u;
    [[unroll]] for (uint b = 0u; b < 4u; ++b) chunk |= ((level[first + b] >> down) & mask)
                                                       << (8u * b + shift);
    return chunk;
}

// Several sub-blocks set bits of the same bytes. The invocations of an aligned group of eight
// (`lane` = sub % 8 is the position in it) combine their words with subgroup shuffles, and one of
// them stores each finished word: no shared image, no atomics.
//
// halfOr is one round of an OR reduce-scatter: invocations lane and lane ^ bit hold their own
// `low` and `high` words of the same bytes; the one with `bit` set keeps `high`, the other `low`,
// each ORed with the partner's copy.
#define HALF_OR(Words)                                                                             \
    Words halfOr(Words low, Words high, uint lane, uint bit) {                                     \
        const bool upper = (lane & bit) != 0u;                                                     \
        return (upper ? high : low) | subgroupShuffleXor(upper ? low : high, bit);                 \
    }
HALF_OR(uint)
HALF_OR(uvec2)
HALF_OR(uvec4)

// `word` ORed with the one of invocation lane ^ bit.
uint pairOr(uint word, uint bit) {
    return word | subgroupShuffleXor(word, bit);
}

// 16-value sub-blocks: the sub-blocks of one parity in a group of eight fill the same 16 bytes,
// each at its own `shift`; this invocation gets the finished word lane / 2 of them.
uint parityWord(uint mask, uint down, uint shift, uint lane) {
    const uvec2 kept = halfOr(
        uvec2(levelBytes(0u, mask, down, shift), levelBytes(4u, mask, down, shift)),
        uvec2(levelBytes(8u, mask, down, shift), levelBytes(12u, mask, down, shift)), lane, 4u);
    return halfOr(kept.x, kept.y, lane, 2u);
}

#if defined(Q2_K) || defined(Q3_K)
// 2-bit fields from `crumbsAt`: value e in byte 32 * (e / 128) + e % 32 at bit
// 2 * ((e % 128) / 32).
void storeCrumbs(uint crumbsAt, uint sub) {
    const uint lane = sub % 8u;
    storeChunk(crumbsAt + 32u * (sub / 8u) + 16u * (lane % 2u) + 4u * (lane / 2u),
               parityWord(3u, 0u, 2u * (lane / 2u), lane));
}
#endif

#if defined(Q2_K)
// Scale and min codes in bytes 0..15, one byte per sub-block; levels from byte 16; d and dmin
// at 80.
void packSubBlock(uint block, uint sub, uint scaleCode, uint minCode, uint dBits, uint dminBits) {
    const uint base = block * BLOCK_BYTES;
    storeCrumbs(base + 16u, sub);
    const uint lane = sub % 8u;
    const uint codes = pairOr(pairOr((scaleCode | (minCode << 4)) << (8u * (lane % 4u)), 1u), 2u);
    if (lane % 4u == 0u)
        storeChunk(base + sub, codes);
    if (sub == 0u)
        storeChunk(base + 80u, dBits | (dminBits << 16));
}
#elif defined(Q3_K)
// The hmask bytes and the scale codes take bits from both groups of eight of a super-block: each
// group leaves its share in shared memory (shareSubBlock), and after a barrier each takes the
// other's (packSubBlock). Slots: an hmask word per invocation, and per group the low nibbles and
// the top 2 bits of its eight codes.
shared uint highShare[GROUP_SIZE];
shared uvec2 codeShare[GROUP_SIZE / 8u];

// Call order: shareSubBlock, barrier(), packSubBlock, with the stored code (code + 32).
void shareSubBlock(uint block, uint sub, uint scaleCode) {
    const uint local = block % BLOCKS_PER_GROUP;
    const uint lane = sub % 8u;
    // hmask: the high bit of value e at bit e / 32 of byte e % 32.
    highShare[SUB_BLOCKS * local + sub] = parityWord(1u, 2u, 4u * (sub / 8u) + lane / 2u, lane);
    uvec2 codes = uvec2((scaleCode & 0xfu) << (4u * lane), (scaleCode >> 4) << (2u * lane));
    [[unroll]] for (uint bit = 1u; bit < 8u; bit *= 2u) codes =
        uvec2(pairOr(codes.x, bit), pairOr(codes.y, bit));
    if (lane == 0u)
        codeShare[2u * local + sub / 8u] = codes;
}

// Byte m (0..11) of the scale codes at 96: the low nibble of sub-block s in byte s % 8 (high
// nibble for s >= 8), its top 2 bits at bit 2 * (s / 4) of byte 8 + s % 4.
uint codeByte(uint m, uvec2 first, uvec2 second) {
    const uint nibbles =
        ((first.x >> (4u * (m % 8u))) & 0xfu) | (((second.x >> (4u * (m % 8u))) & 0xfu) << 4);
    const uint b = m % 4u;
    const uint tops = ((first.y >> (2u * b)) & 3u) | (((first.y >> (2u * b + 8u)) & 3u) << 2) |
                      (((second.y >> (2u * b)) & 3u) << 4) |
                      (((second.y >> (2u * b + 8u)) & 3u) << 6);
    return m < 8u ? nibbles : tops;
}

void packSubBlock(uint block, uint sub, uint scaleCode, uint minCode, uint dBits, uint dminBits) {
    const uint base = block * BLOCK_BYTES;
    const uint lane = sub % 8u;
    const uint group = sub / 8u;
    storeCrumbs(base + 32u, sub);
    // Both groups now hold every hmask word; each stores its half of them.
    const uint local = block % BLOCKS_PER_GROUP;
    const uint slot = SUB_BLOCKS * local + sub;
    const uint highBits = highShare[slot] | highShare[slot ^ 8u];
    storePair(base + 16u * (lane % 2u) + 4u * (lane / 2u) + 2u * group, highBits >> (16u * group));
    // The 12 code bytes as six pairs: group 0 stores the first three, group 1 the others.
    if (lane < 3u) {
        const uvec2 first = codeShare[2u * local];
        const uvec2 second = codeShare[2u * local + 1u];
        const uint m = 2u * (3u * group + lane);
        storePair(base + 96u + m,
                  codeByte(m, first, second) | (codeByte(m + 1u, first, second) << 8));
    }
    if (sub == 0u)
        storePair(base + 108u, dBits);
}
#elif defined(Q4_K) || defined(Q5_K)
// d and dmin in bytes 0..3, then packScaleMinCodes in bytes 4..15: the 6-bit codes of
// sub-blocks 0..3 in bytes 4..11, those of 4..7 split into low nibbles (bytes 12..15) and top 2
// bits (over bytes 4..11). Sub-blocks 0..3 each store one of these four words.
void storeHeader(uint base, uint sub, uint scaleCode, uint minCode, uint dBits, uint dminBits) {
    const bool own = sub < 4u;
    const uint shift = 8u * (sub % 4u);
    const uvec4 words = uvec4(sub == 0u ? dBits | (dminBits << 16) : 0u,
                              (own ? scaleCode : (scaleCode >> 4) << 6) << shift,
                              (own ? minCode : (minCode >> 4) << 6) << shift,
                              (own ? 0u : (scaleCode & 0xfu) | ((minCode & 0xfu) << 4)) << shift);
    const uvec2 kept = halfOr(words.xy, words.zw, sub, 2u);
    const uint word = pairOr(halfOr(kept.x, kept.y, sub, 1u), 4u);
    if (sub < 4u)
        storeChunk(base + 4u * sub, word);
}

void packSubBlock(uint block, uint sub, uint scaleCode, uint minCode, uint dBits, uint dminBits) {
    const uint base = block * BLOCK_BYTES;
    storeHeader(base, sub, scaleCode, minCode, dBits, dminBits);
#if defined(Q5_K)
    // qh: the fifth bit of value e at bit e / 32 of byte e % 32; sub-block `sub` stores word `sub`.
    const uvec4 fifth = halfOr(uvec4(levelBytes(0u, 1u, 4u, sub), levelBytes(4u, 1u, 4u, sub),
                                     levelBytes(8u, 1u, 4u, sub), levelBytes(12u, 1u, 4u, sub)),
                               uvec4(levelBytes(16u, 1u, 4u, sub), levelBytes(20u, 1u, 4u, sub),
                                     levelBytes(24u, 1u, 4u, sub), levelBytes(28u, 1u, 4u, sub)),
                               sub, 4u);
    const uvec2 fifthKept = halfOr(fifth.xy, fifth.zw, sub, 2u);
    storeChunk(base + 16u + 4u * sub, halfOr(fifthKept.x, fifthKept.y, sub, 1u));
    const uint nibblesAt = base + 48u;
#else
    const uint nibblesAt = base + 16u;
#endif
    // Nibbles: value e in byte 32 * (e / 64) + e % 32, high nibble when e % 64 >= 32. Sub-blocks
    // 2i and 2i + 1 fill the same 32 bytes and store 16 each.
    const uint shift = 4u * (sub % 2u);
    const uvec4 nibbles =
        halfOr(uvec4(levelBytes(0u, 0xfu, 0u, shift), levelBytes(4u, 0xfu, 0u, shift),
                     levelBytes(8u, 0xfu, 0u, shift), levelBytes(12u, 0xfu, 0u, shift)),
               uvec4(levelBytes(16u, 0xfu, 0u, shift), levelBytes(20u, 0xfu, 0u, shift),
                     levelBytes(24u, 0xfu, 0u, shift), levelBytes(28u, 0xfu, 0u, shift)),
               sub, 1u);
    const uint nibblesHere = nibblesAt + 32u * (sub / 2u) + 16u * (sub % 2u);
    [[unroll]] for (uint w = 0u; w < 4u; ++w) storeChunk(nibblesHere + 4u * w, nibbles[w]);
}
#elif defined(Q6_K)
// ql: the low nibble of value e = 128h + 32k + l in byte 64h + 32(k & 1) + l, high half for
// k >= 2; qh: its top 2 bits at bit 2k of byte 128 + 32h + l. Sub-block 8h + lane holds
// k = lane / 2 and l from 16 * (lane % 2). Scale codes at 192, d at 208.
void packSubBlock(uint block, uint sub, uint scaleCode, uint minCode, uint dBits, uint dminBits) {
    const uint base = block * BLOCK_BYTES;
    const uint lane = sub % 8u;
    const uint k = lane / 2u;
    const uint group = sub / 8u;
    // Sub-blocks lane and lane ^ 4 fill the same 16 ql bytes; each stores 8 of them.
    const uint shift = 4u * (k / 2u);
    const uvec2 low =
        halfOr(uvec2(levelBytes(0u, 0xfu, 0u, shift), levelBytes(4u, 0xfu, 0u, shift)),
               uvec2(levelBytes(8u, 0xfu, 0u, shift), levelBytes(12u, 0xfu, 0u, shift)), lane, 4u);
    const uint lowAt = base + 64u * group + 16u * (lane % 4u) + 8u * (lane / 4u);
    storeChunk(lowAt, low.x);
    storeChunk(lowAt + 4u, low.y);
    storeChunk(base + 128u + 32u * group + 16u * (lane % 2u) + 4u * k,
               parityWord(3u, 4u, 2u * k, lane));
    const uint codes = pairOr(scaleCode << (8u * (lane % 2u)), 1u);
    if (lane % 2u == 0u)
        storePair(base + 192u + sub, codes);
    if (sub == 0u)
        storePair(base + 208u, dBits);
}
#endif

void main() {
    // Sub-blocks of a super-block sit on consecutive subgroup invocations, so that its
    // reductions stay inside aligned groups of eight (subgroups of at least eight invocations
    // that tile the workgroup, as DeviceCatalog requires).
    const uint lane = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
    const uint local = lane / SUB_BLOCKS; // super-block within the workgroup
    const uint sub = lane % SUB_BLOCKS;
    const uint groupFirst = linearWorkgroup() * BLOCKS_PER_GROUP;
    const bool inRange = groupFirst + local < parameters.blocks;
    const uint block = groupFirst + local; // super-block within the chunk
    const uint first = block * SUPER_BLOCK + sub * SUB_LENGTH;

    // 1. This sub-block's search.
    float fitted = 0.0;
#if defined(ASYMMETRIC)
    float fittedOffset = 0.0;
#endif
    if (inRange) {
        [[unroll]] for (uint o = 0u; o < SUB_LENGTH / 8u; ++o) {
            const u64vec4 octet = inputOctet(first / 8u + o);
            [[unroll]] for (uint w = 0u; w < 4u; ++w) {
                const vec2 pair = wordFloats(octet[w]);
                x[8u * o + 2u * w] = pair.x;
                x[8u * o + 2u * w + 1u] = pair.y;
            }
        }
#if defined(ASYMMETRIC)
#if defined(RMS_WEIGHTS)
        precise float sumSquares = 0.0;
        [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) sumSquares += x[i] * x[i];
        precise float meanSquare = sumSquares * (1.0 / float(SUB_LENGTH)); // exact: 2^-5
        const float rms = exactSqrt(meanSquare);
        [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) {
            precise float w = rms + abs(x[i]);
            weight[i] = w;
        }
#else
        [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) weight[i] = abs(x[i]);
#endif
        fitted = fitScaleAndMin(fittedOffset);
#else
        fitted = fitSubBlock();
#endif
    }
    // The super-block's largest scale (and min), from the two groups of eight where it has 16
    // sub-blocks.
#if defined(ASYMMETRIC)
    float largestScale = groupLargestFromZero(fitted);
    float largestMin = groupLargestFromZero(fittedOffset);
#if defined(TWO_GROUPS)
    if (sub % 8u == 0u) {
        groupScale[lane / 8u] = largestScale;
        groupMin[lane / 8u] = largestMin;
    }
    barrier();
    largestScale = largerFromZero(groupScale[2u * local], groupScale[2u * local + 1u]);
    largestMin = largerFromZero(groupMin[2u * local], groupMin[2u * local + 1u]);
#endif
#else
    float largest = groupLargestMagnitude(fitted, sub);
#if defined(TWO_GROUPS)
    if (sub % 8u == 0u)
        groupScale[lane / 8u] = largest;
    barrier();
    const float firstHalf = groupScale[2u * local];
    const float secondHalf = groupScale[2u * local + 1u];
    largest = abs(secondHalf) > abs(firstHalf) ? secondHalf : firstHalf;
#endif
#endif

    // 2. Sub-block codes against the super-block scale, and the levels re-quantized with them.
    float step = 0.0;
    uint scaleCode = 0u; // as stored
    uint dBits = 0u;
#if defined(ASYMMETRIC)
    float offset = 0.0;
    uint minCode = 0u;
    uint dminBits = 0u;
#else
    const uint minCode = 0u;
    const uint dminBits = 0u;
#endif
    if (inRange) {
#if defined(ASYMMETRIC)
        scaleCode = unsignedCode(largestScale, fitted);
        minCode = unsignedCode(largestMin, fittedOffset);
        dBits = floatToHalfBits(exactDivide(largestScale, float(CODE_TOP)));
        dminBits = floatToHalfBits(exactDivide(largestMin, float(CODE_TOP)));
        step = halfBitsToFloat(dBits) * float(scaleCode);
        offset = halfBitsToFloat(dminBits) * float(minCode);
        if (step != 0.0) [[unroll]]
            for (uint i = 0u; i < SUB_LENGTH; ++i) {
                precise float shifted = x[i] + offset;
                level[i] = uint(clamp(nearestIntOfQuotient(shifted, step), 0, NMAX));
            }
#else
#if defined(Q3_K)
        const bool zero = (floatBitsToUint(largest) & 0x7fffffffu) == 0u; // below denorm_min
#else
        const bool zero = abs(largest) < uintBitsToFloat(0x26901d7du); // 1e-15f
#endif
        int code = -CODE_HALF;
        if (!zero) {
            const float iscale = exactDivide(float(-CODE_HALF), largest);
            precise float scaled = iscale * fitted;
            code = clamp(nearestInt(scaled), -CODE_HALF, CODE_HALF - 1);
            dBits = floatToHalfBits(exactDivide(1.0, iscale));
            precise float codeStep = halfBitsToFloat(dBits) * float(code);
            if (codeStep != 0.0) [[unroll]]
                for (uint i = 0u; i < SUB_LENGTH; ++i)
                    level[i] =
                        uint(NMAX + clamp(nearestIntOfQuotient(x[i], codeStep), -NMAX, NMAX - 1));
        }
#if defined(Q6_K)
        if (zero) { // the whole block is stored as zero bytes
            code = 0;
            [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) level[i] = 0u;
        }
#endif
        // The decoder's scale: d times the code as stored (Q3_K stores -32 as 0, d is 0 then).
        step = halfBitsToFloat(dBits) * float(code);
#if defined(Q3_K)
        scaleCode = uint(code + 32);
        shareSubBlock(block, sub, scaleCode);
#else
        scaleCode = uint(code) & 0xffu;
#endif
#endif
    }
#if defined(Q3_K)
    barrier();
#endif

    // 3. The packed block, the dequantized values of this sub-block as the CPU decoder computes
    // them, and their error sums.
    if (inRange) {
        packSubBlock(block, sub, scaleCode, minCode, dBits, dminBits);
        float y[SUB_LENGTH];
        [[unroll]] for (uint i = 0u; i < SUB_LENGTH; ++i) {
#if defined(ASYMMETRIC)
            precise float value = step * float(level[i]) - offset;
#else
            precise float value = step * float(int(level[i]) - NMAX);
#endif
            y[i] = value;
            addError(x[i], value);
        }
        [[unroll]] for (uint o = 0u; o < SUB_LENGTH / 8u; ++o) dequantizedOctets[first / 8u + o] =
            u64vec4(floatsWord(y[8u * o], y[8u * o + 1u]),
                    floatsWord(y[8u * o + 2u], y[8u * o + 3u]),
                    floatsWord(y[8u * o + 4u], y[8u * o + 5u]),
                    floatsWord(y[8u * o + 6u], y[8u * o + 7u]));
    }
    storeErrorPartials();
}
