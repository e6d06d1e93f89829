// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/GgmlScaleSearch.h"

#include <array>
#include <cstdint>
#include <span>
#include <utility>

// The machinery the K formats share: a 256-value super-block split into sub-blocks whose scales
// (and mins) are themselves quantized against one fp16 super-block scale, then every value is
// re-quantized with the scales the decoder will really see.
namespace bitlens::ggml {

constexpr int kSuperBlock = 256;

// ----- asymmetric: value = d * scaleCode * l - dmin * minCode (Q2_K, Q4_K, Q5_K)

struct AsymmetricRecipe {
    int subBlockLength; // 16 or 32
    int nmax;           // levels 0..nmax
    int codeTop;        // scale and min codes 0..codeTop (15: 4 bits, 63: 6 bits)
    MinSweep sweep;
    bool rmsWeights; // weights rms(sub-block) + |x| (Q4_K, Q5_K) instead of |x| (Q2_K)
};

struct AsymmetricSuperBlock {
    uint16_t d = 0;    // fp16 bits of the scale step
    uint16_t dmin = 0; // fp16 bits of the min step
    std::array<uint8_t, 16> scaleCodes{};
    std::array<uint8_t, 16> minCodes{};
    std::array<uint8_t, kSuperBlock> levels{}; // 0..nmax
};

AsymmetricSuperBlock quantizeAsymmetric(std::span<const float, kSuperBlock> x,
                                        const AsymmetricRecipe& recipe);

// The 12-byte field of Q4_K/Q5_K holding eight 6-bit scale codes and eight 6-bit min codes.
std::array<uint8_t, 12> packScaleMinCodes(std::span<const uint8_t, 8> scales,
                                          std::span<const uint8_t, 8> mins);
// Scale code and min code of sub-block j (0..7).
std::pair<uint8_t, uint8_t> unpackScaleMinCode(const uint8_t* packed, int j);

// ----- symmetric: value = d * scaleCode * (l - nmax) (Q3_K, Q6_K)

struct SymmetricSuperBlock {
    bool zero = false;                        // no sub-block scale reached zeroBelow
    uint16_t d = 0;                           // fp16 bits of the scale step
    std::array<int, 16> scaleCodes{};         // signed, -codeHalf..codeHalf-1
    std::array<int8_t, kSuperBlock> levels{}; // 0..2*nmax-1
};

// Sub-block fit of 16 values: returns the scale and writes levels 0..2*nmax-1.
using SymmetricFit = float (*)(std::span<const float> x, int nmax, std::span<int8_t> levels);

// codeHalf: 32 for 6-bit scale codes, 128 for 8-bit ones. When no sub-block scale reaches
// zeroBelow in magnitude the result is `zero`: d = 0, codes -codeHalf (stored as 0), levels from
// the fits.
SymmetricSuperBlock quantizeSymmetric(std::span<const float, kSuperBlock> x, int nmax,
                                      SymmetricFit fit, int codeHalf, float zeroBelow);

} // namespace bitlens::ggml
