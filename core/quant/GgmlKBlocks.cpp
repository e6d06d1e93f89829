// SPDX-License-Identifier: MIT
// The 256-value ggml K super-blocks. Byte offsets follow ggml's block_q<N>_K structs:
//   Q2_K  84 B: scales[16] (scale code | min code << 4), qs[64], d, dmin
//   Q3_K 110 B: hmask[32], qs[64], scales[12] (6-bit codes + 32), d
//   Q4_K 144 B: d, dmin, scales[12] (packScaleMinCodes), qs[128]
//   Q5_K 176 B: d, dmin, scales[12], qh[32], qs[128]
//   Q6_K 210 B: ql[128], qh[64], scales[16] (int8), d
#include "core/quant/GgmlBlockCodecs.h"
#include "core/quant/GgmlBlockFields.h"
#include "core/quant/GgmlSuperBlock.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace bitlens::ggml {
namespace {

std::span<const float, kSuperBlock> superBlock(const float* values) {
    return std::span<const float, kSuperBlock>(values, kSuperBlock);
}

void storeHalfBits(uint8_t* field, uint16_t bits) {
    field[0] = uint8_t(bits);
    field[1] = uint8_t(bits >> 8);
}

// 2-bit fields of Q2_K and Q3_K: value e sits in byte 32 * (e / 128) + e % 32 at bit
// 2 * ((e % 128) / 32).
template <typename Level> void packCrumbs(const Level* levels, uint8_t* qs) {
    for (int half = 0; half < 2; ++half)
        for (int l = 0; l < 32; ++l) {
            const Level* base = levels + 128 * half + l;
            qs[32 * half + l] = uint8_t((base[0] & 3) | ((base[32] & 3) << 2) |
                                        ((base[64] & 3) << 4) | ((base[96] & 3) << 6));
        }
}
int crumb(const uint8_t* qs, int e) {
    return (qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
}

// One bit per value, value e at bit e / 32 of byte e % 32 (Q3_K hmask, Q5_K qh).
int spreadBit(const uint8_t* bits, int e) {
    return (bits[e % 32] >> (e / 32)) & 1;
}

// Nibbles of Q4_K and Q5_K: value e in byte 32 * (e / 64) + e % 32, high nibble when e % 64 >= 32.
void packChunkNibbles(const uint8_t* levels, uint8_t* qs) {
    for (int chunk = 0; chunk < 4; ++chunk)
        for (int l = 0; l < 32; ++l)
            qs[32 * chunk + l] = uint8_t((levels[64 * chunk + l] & 0xf) |
                                         ((levels[64 * chunk + l + 32] & 0xf) << 4));
}
int chunkNibble(const uint8_t* qs, int e) {
    const uint8_t byte = qs[32 * (e / 64) + e % 32];
    return e % 64 < 32 ? byte & 0xf : byte >> 4;
}

// 6-bit scale codes of Q3_K (code + 32): low nibbles in bytes 0..7 (codes 0..7 low, 8..15
// high), top 2 bits of code j at bit 2 * (j / 4) of byte 8 + j % 4.
void packQ3Scales(const std::array<int, 16>& codes, uint8_t* scales) {
    std::memset(scales, 0, 12);
    for (int j = 0; j < 16; ++j) {
        const int stored = codes[j] + 32;
        scales[j % 8] |= uint8_t((stored & 0xf) << (j < 8 ? 0 : 4));
        scales[8 + j % 4] |= uint8_t((stored >> 4) << (2 * (j / 4)));
    }
}
int q3ScaleCode(const uint8_t* scales, int j) {
    const int low = j < 8 ? scales[j] & 0xf : scales[j - 8] >> 4;
    const int high = (scales[8 + j % 4] >> (2 * (j / 4))) & 3;
    return (low | (high << 4)) - 32;
}

constexpr AsymmetricRecipe kQ2Recipe{16, 3, 15, {-0.5f, 0.1f, 15, true}, false};
constexpr AsymmetricRecipe kQ4Recipe{32, 15, 63, {-1.0f, 0.1f, 20, false}, true};
constexpr AsymmetricRecipe kQ5Recipe{32, 31, 63, {-0.5f, 0.1f, 15, false}, true};

// d, dmin and the packed codes of Q4_K and Q5_K (bytes 0..15).
void storeScaleMinHeader(const AsymmetricSuperBlock& b, uint8_t* block) {
    storeHalfBits(block, b.d);
    storeHalfBits(block + 2, b.dmin);
    const auto packed =
        packScaleMinCodes(std::span(b.scaleCodes).first<8>(), std::span(b.minCodes).first<8>());
    std::copy(packed.begin(), packed.end(), block + 4);
}

// Value e of Q4_K / Q5_K from its level: (d * scale code) * level - (dmin * min code).
template <typename LevelOf>
void decodeScaleMin(const uint8_t* block, float* values, LevelOf level) {
    const float d = loadHalf(block);
    const float dmin = loadHalf(block + 2);
    for (int sub = 0; sub < 8; ++sub) {
        const auto [scale, min] = unpackScaleMinCode(block + 4, sub);
        const float step = d * scale;
        const float offset = dmin * min;
        for (int e = 32 * sub; e < 32 * sub + 32; ++e)
            values[e] = step * float(level(e)) - offset;
    }
}

} // namespace

void encodeQ2_K(const float* values, uint8_t* block) {
    const AsymmetricSuperBlock b = quantizeAsymmetric(superBlock(values), kQ2Recipe);
    for (int j = 0; j < 16; ++j)
        block[j] = uint8_t(b.scaleCodes[j] | (b.minCodes[j] << 4));
    packCrumbs(b.levels.data(), block + 16);
    storeHalfBits(block + 80, b.d);
    storeHalfBits(block + 82, b.dmin);
}
void decodeQ2_K(const uint8_t* block, float* values) {
    const float d = loadHalf(block + 80);
    const float dmin = loadHalf(block + 82);
    for (int sub = 0; sub < 16; ++sub) {
        const float step = d * (block[sub] & 0xf);
        const float offset = dmin * (block[sub] >> 4);
        for (int e = 16 * sub; e < 16 * sub + 16; ++e)
            values[e] = step * float(crumb(block + 16, e)) - offset;
    }
}

void encodeQ3_K(const float* values, uint8_t* block) {
    const SymmetricSuperBlock b = quantizeSymmetric(superBlock(values), 4, fitSymmetricByLevelMoves,
                                                    32, std::numeric_limits<float>::denorm_min());
    std::memset(block, 0, 32);
    for (int e = 0; e < kSuperBlock; ++e)
        if (b.levels[e] > 3)
            block[e % 32] |= uint8_t(1 << (e / 32));
    packCrumbs(b.levels.data(), block + 32);
    packQ3Scales(b.scaleCodes, block + 96);
    storeHalfBits(block + 108, b.d);
}
void decodeQ3_K(const uint8_t* block, float* values) {
    const float d = loadHalf(block + 108);
    for (int sub = 0; sub < 16; ++sub) {
        const float step = d * float(q3ScaleCode(block + 96, sub));
        for (int e = 16 * sub; e < 16 * sub + 16; ++e)
            values[e] = step * float(crumb(block + 32, e) - (spreadBit(block, e) ? 0 : 4));
    }
}

void encodeQ4_K(const float* values, uint8_t* block) {
    const AsymmetricSuperBlock b = quantizeAsymmetric(superBlock(values), kQ4Recipe);
    storeScaleMinHeader(b, block);
    packChunkNibbles(b.levels.data(), block + 16);
}
void decodeQ4_K(const uint8_t* block, float* values) {
    decodeScaleMin(block, values, [&](int e) { return chunkNibble(block + 16, e); });
}

void encodeQ5_K(const float* values, uint8_t* block) {
    const AsymmetricSuperBlock b = quantizeAsymmetric(superBlock(values), kQ5Recipe);
    storeScaleMinHeader(b, block);
    uint8_t* qh = block + 16;
    std::memset(qh, 0, 32);
    for (int e = 0; e < kSuperBlock; ++e)
        if (b.levels[e] > 15)
            qh[e % 32] |= uint8_t(1 << (e / 32));
    packChunkNibbles(b.levels.data(), block + 48);
}
void decodeQ5_K(const uint8_t* block, float* values) {
    decodeScaleMin(block, values, [&](int e) {
        return chunkNibble(block + 48, e) + (spreadBit(block + 16, e) ? 16 : 0);
    });
}

void encodeQ6_K(const float* values, uint8_t* block) {
    const SymmetricSuperBlock b =
        quantizeSymmetric(superBlock(values), 32, fitSymmetricByScaleSweep, 128, 1e-15f);
    std::memset(block, 0, 210);
    if (b.zero)
        return;
    // ql: value e's low nibble in byte 64 * (e / 128) + e % 32 + 32 * (k & 1), high half of the
    // byte for k >= 2, where k = (e % 128) / 32; qh: its top 2 bits at bit 2k of byte
    // 32 * (e / 128) + e % 32.
    for (int e = 0; e < kSuperBlock; ++e) {
        const int level = b.levels[e];
        const int k = (e % 128) / 32;
        block[64 * (e / 128) + e % 32 + 32 * (k & 1)] |= uint8_t((level & 0xf) << (4 * (k >> 1)));
        block[128 + 32 * (e / 128) + e % 32] |= uint8_t((level >> 4) << (2 * k));
    }
    for (int j = 0; j < 16; ++j)
        block[192 + j] = uint8_t(int8_t(b.scaleCodes[j]));
    storeHalfBits(block + 208, b.d);
}
void decodeQ6_K(const uint8_t* block, float* values) {
    const float d = loadHalf(block + 208);
    for (int e = 0; e < kSuperBlock; ++e) {
        const int k = (e % 128) / 32;
        const int low = (block[64 * (e / 128) + e % 32 + 32 * (k & 1)] >> (4 * (k >> 1))) & 0xf;
        const int high = (block[128 + 32 * (e / 128) + e % 32] >> (2 * k)) & 3;
        const float scale = d * float(int8_t(block[192 + e / 16]));
        values[e] = scale * float((low | (high << 4)) - 32);
    }
}

} // namespace bitlens::ggml
