// SPDX-License-Identifier: MIT
#include "core/quant/GgmlSuperBlock.h"

#include "core/quant/GgmlBlockFields.h"

#include <algorithm>
#include <cmath>

namespace bitlens::ggml {
namespace {

// Codes 0..top for non-negative values relative to their largest; returns the fp16 step.
uint16_t quantizeUnsignedCodes(std::span<const float> values, int top, std::span<uint8_t> codes) {
    float max = 0.0f;
    for (float value : values)
        max = value > max ? value : max;
    const float inverse = max > 0 ? top / max : 0.0f;
    for (size_t j = 0; j < values.size(); ++j)
        codes[j] = std::min(uint8_t(top), uint8_t(nearestInt(inverse * values[j])));
    return floatToHalf(max / top);
}

} // namespace

AsymmetricSuperBlock quantizeAsymmetric(std::span<const float, kSuperBlock> x,
                                        const AsymmetricRecipe& recipe) {
    const size_t length = size_t(recipe.subBlockLength);
    const size_t count = kSuperBlock / length;
    AsymmetricSuperBlock block;
    std::array<float, 16> scales{};
    std::array<float, 16> mins{};
    std::array<float, 32> weights{};
    for (size_t j = 0; j < count; ++j) {
        const auto sub = x.subspan(j * length, length);
        float rms = 0.0f;
        if (recipe.rmsWeights) {
            float sumSquares = 0.0f;
            for (float value : sub)
                sumSquares += value * value;
            rms = std::sqrt(sumSquares / float(length));
        }
        for (size_t l = 0; l < length; ++l)
            weights[l] = recipe.rmsWeights ? rms + std::fabs(sub[l]) : std::fabs(sub[l]);
        const ScaleAndMin fit =
            fitScaleAndMin(sub, std::span(weights).first(length), recipe.nmax, recipe.sweep,
                           std::span(block.levels).subspan(j * length, length));
        scales[j] = fit.scale;
        mins[j] = fit.min;
    }
    block.d =
        quantizeUnsignedCodes(std::span(scales).first(count), recipe.codeTop, block.scaleCodes);
    block.dmin =
        quantizeUnsignedCodes(std::span(mins).first(count), recipe.codeTop, block.minCodes);

    // Re-quantize against the scales as stored; a sub-block whose scale became 0 keeps its fit.
    const float d = halfToFloat(block.d);
    const float dmin = halfToFloat(block.dmin);
    for (size_t j = 0; j < count; ++j) {
        const float step = d * block.scaleCodes[j];
        if (step == 0.0f)
            continue;
        const float offset = dmin * block.minCodes[j];
        for (size_t l = j * length; l < (j + 1) * length; ++l)
            block.levels[l] =
                uint8_t(std::clamp(nearestInt((x[l] + offset) / step), 0, recipe.nmax));
    }
    return block;
}

std::array<uint8_t, 12> packScaleMinCodes(std::span<const uint8_t, 8> scales,
                                          std::span<const uint8_t, 8> mins) {
    // Sub-blocks 0..3: 6 bits in bytes 0..3 (scale) and 4..7 (min). Sub-blocks 4..7: low nibbles
    // in bytes 8..11, high 2 bits in the top bits of bytes 0..3 (scale) and 4..7 (min).
    std::array<uint8_t, 12> packed{};
    for (int j = 0; j < 4; ++j) {
        packed[j] = scales[j];
        packed[j + 4] = mins[j];
    }
    for (int j = 4; j < 8; ++j) {
        packed[j + 4] = uint8_t((scales[j] & 0xf) | ((mins[j] & 0xf) << 4));
        packed[j - 4] |= uint8_t((scales[j] >> 4) << 6);
        packed[j] |= uint8_t((mins[j] >> 4) << 6);
    }
    return packed;
}

std::pair<uint8_t, uint8_t> unpackScaleMinCode(const uint8_t* packed, int j) {
    if (j < 4)
        return {uint8_t(packed[j] & 63), uint8_t(packed[j + 4] & 63)};
    return {uint8_t((packed[j + 4] & 0xf) | ((packed[j - 4] >> 6) << 4)),
            uint8_t((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4))};
}

SymmetricSuperBlock quantizeSymmetric(std::span<const float, kSuperBlock> x, int nmax,
                                      SymmetricFit fit, int codeHalf, float zeroBelow) {
    constexpr size_t kLength = 16;
    SymmetricSuperBlock block;
    std::array<float, 16> scales{};
    for (size_t j = 0; j < 16; ++j)
        scales[j] = fit(x.subspan(j * kLength, kLength), nmax,
                        std::span(block.levels).subspan(j * kLength, kLength));
    const float maxScale = signedAbsMax(scales);
    if (std::fabs(maxScale) < zeroBelow) {
        block.zero = true;
        block.scaleCodes.fill(-codeHalf);
        return block;
    }
    const float iscale = -codeHalf / maxScale;
    for (size_t j = 0; j < 16; ++j)
        block.scaleCodes[j] = std::clamp(nearestInt(iscale * scales[j]), -codeHalf, codeHalf - 1);
    block.d = floatToHalf(1 / iscale);

    const float d = halfToFloat(block.d);
    for (size_t j = 0; j < 16; ++j) {
        const float step = d * block.scaleCodes[j];
        if (step == 0.0f)
            continue;
        for (size_t l = j * kLength; l < (j + 1) * kLength; ++l)
            block.levels[l] = int8_t(nmax + std::clamp(nearestInt(x[l] / step), -nmax, nmax - 1));
    }
    return block;
}

} // namespace bitlens::ggml
