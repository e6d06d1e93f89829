// SPDX-License-Identifier: MIT
// The 32-value ggml blocks. Every one stores value j in the low nibble of qs[j] and value j + 16
// in its high nibble (Q5 formats add the fifth bit of value j as bit j of a 32-bit qh).
#include "core/quant/GgmlBlockCodecs.h"
#include "core/quant/GgmlBlockFields.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <utility>

namespace bitlens::ggml {
namespace {

constexpr int kBlock = 32;
using Levels = std::array<uint8_t, kBlock>;

// Non-linear code books: IQ4_NL's, and MXFP4's E2M1 values times two.
constexpr int8_t kIq4NlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                     1,    13,   25,  38,  53,  69,  89,  113};
constexpr int8_t kMxfp4DoubledValues[16] = {0, 1,  2,  3,  4,  6,  8,  12,
                                            0, -1, -2, -3, -4, -6, -8, -12};

void packNibbles(const Levels& levels, uint8_t* qs) {
    for (int j = 0; j < kBlock / 2; ++j)
        qs[j] = uint8_t((levels[j] & 0xf) | ((levels[j + kBlock / 2] & 0xf) << 4));
}
int nibble(const uint8_t* qs, int j) {
    return j < kBlock / 2 ? qs[j] & 0xf : qs[j - kBlock / 2] >> 4;
}

uint32_t fifthBits(const Levels& levels) {
    uint32_t bits = 0;
    for (int j = 0; j < kBlock; ++j)
        bits |= uint32_t((levels[j] >> 4) & 1) << j;
    return bits;
}
int fiveBitLevel(const uint8_t* qs, uint32_t fifth, int j) {
    return nibble(qs, j) | int(((fifth >> j) & 1) << 4);
}

// Q4_0 / Q5_0: d = max / -2^(bits-1) from the value of largest magnitude; levels 0..2^bits-1
// around 2^(bits-1). Writes d and returns the levels.
Levels quantizeCentered(const float* x, int bits, uint8_t* dField) {
    const int half = 1 << (bits - 1);
    const float d = signedAbsMax(std::span(x, kBlock)) / float(-half);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    storeHalf(dField, d);
    Levels levels;
    for (int j = 0; j < kBlock; ++j)
        levels[j] = uint8_t(std::min(2 * half - 1, int(x[j] * id + (float(half) + 0.5f))));
    return levels;
}

// Q4_1 / Q5_1: d = (max - min) / (2^bits - 1), offset m = min. Writes d and m.
Levels quantizeMinMax(const float* x, int bits, uint8_t* dField, uint8_t* mField) {
    const int top = (1 << bits) - 1;
    float min = FLT_MAX;
    float max = -FLT_MAX;
    for (int j = 0; j < kBlock; ++j) {
        if (x[j] < min)
            min = x[j];
        if (x[j] > max)
            max = x[j];
    }
    const float d = (max - min) / float(top);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    storeHalf(dField, d);
    storeHalf(mField, min);
    Levels levels;
    for (int j = 0; j < kBlock; ++j)
        levels[j] = uint8_t(std::min(top, int((x[j] - min) * id + 0.5f)));
    return levels;
}

// Index of the table entry nearest to x (table ascending); ties go to the upper entry.
int nearestSortedIndex(std::span<const int8_t, 16> table, float x) {
    if (x <= table[0])
        return 0;
    if (x >= table[15])
        return 15;
    int low = 0;
    int high = 15;
    while (high - low > 1) {
        const int middle = (low + high) / 2;
        if (x < table[middle])
            high = middle;
        else
            low = middle;
    }
    return x - table[high - 1] < table[high] - x ? high - 1 : high;
}

// Index of the entry whose value * scale is nearest to x (any order); the first one wins ties.
int nearestScaledIndex(std::span<const int8_t, 16> table, float scale, float x) {
    int best = 0;
    float bestError = std::fabs(table[0] * scale - x);
    for (int i = 1; i < 16; ++i) {
        const float error = std::fabs(table[i] * scale - x);
        if (error < bestError) {
            best = i;
            bestError = error;
        }
    }
    return best;
}

} // namespace

void encodeQ4_0(const float* values, uint8_t* block) {
    packNibbles(quantizeCentered(values, 4, block), block + 2);
}
void decodeQ4_0(const uint8_t* block, float* values) {
    const float d = loadHalf(block);
    for (int j = 0; j < kBlock; ++j)
        values[j] = float(nibble(block + 2, j) - 8) * d;
}

void encodeQ4_1(const float* values, uint8_t* block) {
    packNibbles(quantizeMinMax(values, 4, block, block + 2), block + 4);
}
void decodeQ4_1(const uint8_t* block, float* values) {
    const float d = loadHalf(block);
    const float m = loadHalf(block + 2);
    for (int j = 0; j < kBlock; ++j)
        values[j] = float(nibble(block + 4, j)) * d + m;
}

void encodeQ5_0(const float* values, uint8_t* block) {
    const Levels levels = quantizeCentered(values, 5, block);
    storeU32(block + 2, fifthBits(levels));
    packNibbles(levels, block + 6);
}
void decodeQ5_0(const uint8_t* block, float* values) {
    const float d = loadHalf(block);
    const uint32_t fifth = loadU32(block + 2);
    for (int j = 0; j < kBlock; ++j)
        values[j] = float(fiveBitLevel(block + 6, fifth, j) - 16) * d;
}

void encodeQ5_1(const float* values, uint8_t* block) {
    const Levels levels = quantizeMinMax(values, 5, block, block + 2);
    storeU32(block + 4, fifthBits(levels));
    packNibbles(levels, block + 8);
}
void decodeQ5_1(const uint8_t* block, float* values) {
    const float d = loadHalf(block);
    const float m = loadHalf(block + 2);
    const uint32_t fifth = loadU32(block + 4);
    for (int j = 0; j < kBlock; ++j)
        values[j] = float(fiveBitLevel(block + 8, fifth, j)) * d + m;
}

void encodeQ8_0(const float* values, uint8_t* block) {
    float amax = 0.0f;
    for (int j = 0; j < kBlock; ++j)
        amax = std::max(amax, std::fabs(values[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    storeHalf(block, d);
    for (int j = 0; j < kBlock; ++j)
        block[2 + j] = uint8_t(int8_t(std::round(values[j] * id))); // half away from zero
}
void decodeQ8_0(const uint8_t* block, float* values) {
    const float d = loadHalf(block);
    for (int j = 0; j < kBlock; ++j)
        values[j] = float(int8_t(block[2 + j])) * d;
}

void encodeIq4Nl(const float* values, uint8_t* block) {
    // ggml_quantize_chunk's search without importance matrix: the least-squares scale (weights
    // x^2) for the levels of 15 trial scales (max / (-127 + t), t = -7..7) and of max / 127; the
    // best one then picks the levels.
    const std::span<const float> x(values, kBlock);
    const auto sums = [&](float id) {
        std::pair<float, float> qxAndQ2{0.0f, 0.0f};
        for (float value : x) {
            const float q = kIq4NlValues[nearestSortedIndex(kIq4NlValues, id * value)];
            const float w = value * value;
            qxAndQ2.first += w * q * value;
            qxAndQ2.second += w * q * q;
        }
        return qxAndQ2;
    };
    float d = 0.0f;
    const float max = signedAbsMax(x);
    if (std::fabs(max) >= 1e-15f) {
        const auto [sumqx, sumq2] = sums(1 / (-max / kIq4NlValues[0]));
        d = sumq2 > 0 ? sumqx / sumq2 : 0.0f;
        float best = d * sumqx;
        for (int trial = -7; trial <= 7; ++trial) {
            const auto [qx, q2] = sums((trial + kIq4NlValues[0]) / max);
            if (q2 > 0 && qx * qx > best * q2) {
                d = qx / q2;
                best = d * qx;
            }
        }
    }
    storeHalf(block, d);
    const float id = d != 0.0f ? 1 / d : 0.0f;
    Levels levels;
    for (int j = 0; j < kBlock; ++j)
        levels[j] = uint8_t(nearestSortedIndex(kIq4NlValues, id * x[j]));
    packNibbles(levels, block + 2);
}
void decodeIq4Nl(const uint8_t* block, float* values) {
    const float d = loadHalf(block);
    for (int j = 0; j < kBlock; ++j)
        values[j] = d * float(kIq4NlValues[nibble(block + 2, j)]);
}

void encodeMxfp4(const float* values, uint8_t* block) {
    // Shared exponent floor(log2(amax)) - 2 so that amax lands in E2M1's top binade; then each
    // value takes the nearest code.
    float amax = 0.0f;
    for (int j = 0; j < kBlock; ++j)
        amax = std::max(amax, std::fabs(values[j]));
    uint8_t e = 0;
    if (amax > 0.0f)
        e = uint8_t(std::clamp(std::floor(std::log2(amax)) - 2.0f + 127.0f, 0.0f, 254.0f));
    const float d = e8m0HalfToFloat(e);
    block[0] = e;
    Levels levels;
    for (int j = 0; j < kBlock; ++j)
        levels[j] = uint8_t(nearestScaledIndex(kMxfp4DoubledValues, d, values[j]));
    packNibbles(levels, block + 1);
}
void decodeMxfp4(const uint8_t* block, float* values) {
    const float d = e8m0HalfToFloat(block[0]);
    for (int j = 0; j < kBlock; ++j)
        values[j] = float(kMxfp4DoubledValues[nibble(block + 1, j)]) * d;
}

} // namespace bitlens::ggml
