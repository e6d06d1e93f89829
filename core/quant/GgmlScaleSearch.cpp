// SPDX-License-Identifier: MIT
#include "core/quant/GgmlScaleSearch.h"

#include "core/quant/GgmlBlockFields.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace bitlens::ggml {
namespace {

// Below this magnitude a sub-block counts as all zero (ggml GROUP_MAX_EPS).
constexpr float kGroupMaxEps = 1e-15f;

int clampLevel(int level, int nmax) {
    return std::clamp(level, -nmax, nmax - 1);
}

struct WeightedSums {
    float sumlx = 0.0f; // sum w * x * l
    float suml2 = 0.0f; // sum w * l * l
};

// Sums for the levels that iscale gives, with weight x^2.
WeightedSums symmetricSums(std::span<const float> x, int nmax, float iscale) {
    WeightedSums sums;
    for (float value : x) {
        const int l = clampLevel(nearestInt(iscale * value), nmax);
        const float w = value * value;
        sums.sumlx += w * value * l;
        sums.suml2 += w * l * l;
    }
    return sums;
}

void storeSymmetricLevels(std::span<const float> x, int nmax, float iscale,
                          std::span<int8_t> levels) {
    for (size_t i = 0; i < x.size(); ++i)
        levels[i] = int8_t(nmax + clampLevel(nearestInt(iscale * x[i]), nmax));
}

} // namespace

float fitSymmetricByScaleSweep(std::span<const float> x, int nmax, std::span<int8_t> levels) {
    const float max = signedAbsMax(x);
    if (std::fabs(max) < kGroupMaxEps) {
        std::fill(levels.begin(), levels.end(), int8_t(0));
        return 0.0f;
    }
    float iscale = -nmax / max;
    storeSymmetricLevels(x, nmax, iscale, levels);
    WeightedSums sums = symmetricSums(x, nmax, iscale);
    float scale = sums.suml2 != 0.0f ? sums.sumlx / sums.suml2 : 0.0f;
    float best = scale * sums.sumlx;
    for (int step = -9; step <= 9; ++step) {
        if (step == 0)
            continue;
        iscale = -(nmax + 0.1f * step) / max;
        sums = symmetricSums(x, nmax, iscale);
        if (sums.suml2 > 0 && sums.sumlx * sums.sumlx > best * sums.suml2) {
            storeSymmetricLevels(x, nmax, iscale, levels);
            scale = sums.sumlx / sums.suml2;
            best = scale * sums.sumlx;
        }
    }
    return scale;
}

float fitSymmetricByLevelMoves(std::span<const float> x, int nmax, std::span<int8_t> levels) {
    const float max = signedAbsMax(x);
    if (std::fabs(max) < kGroupMaxEps) {
        std::fill(levels.begin(), levels.end(), int8_t(0));
        return 0.0f;
    }
    const float iscale = -nmax / max;
    float sumlx = 0.0f;
    float suml2 = 0.0f;
    for (size_t i = 0; i < x.size(); ++i) {
        const int l = clampLevel(nearestInt(iscale * x[i]), nmax);
        levels[i] = int8_t(l);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (size_t i = 0; i < x.size(); ++i) {
            const float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * levels[i];
            if (slx <= 0)
                continue;
            float sl2 = suml2 - w * levels[i] * levels[i];
            const int moved = clampLevel(nearestInt(x[i] * sl2 / slx), nmax);
            if (moved == levels[i])
                continue;
            slx += w * x[i] * moved;
            sl2 += w * moved * moved;
            if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                levels[i] = int8_t(moved);
                sumlx = slx;
                suml2 = sl2;
                ++changed;
            }
        }
        if (changed == 0)
            break;
    }
    for (int8_t& level : levels)
        level = int8_t(level + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

ScaleAndMin fitScaleAndMin(std::span<const float> x, std::span<const float> weights, int nmax,
                           const MinSweep& sweep, std::span<uint8_t> levels) {
    const size_t n = x.size();
    float min = x[0];
    float max = x[0];
    float sumW = weights[0];
    float sumX = sumW * x[0];
    for (size_t i = 1; i < n; ++i) {
        min = std::min(min, x[i]);
        max = std::max(max, x[i]);
        sumW += weights[i];
        sumX += weights[i] * x[i];
    }
    min = std::min(min, 0.0f);
    if (max == min) {
        std::fill(levels.begin(), levels.end(), uint8_t(0));
        return {0.0f, -min};
    }
    const auto errorOf = [&](float scale, float offset, auto level) {
        float error = 0.0f;
        for (size_t i = 0; i < n; ++i) {
            const float diff = scale * level(i) + offset - x[i];
            error += weights[i] * (sweep.absoluteError ? std::fabs(diff) : diff * diff);
        }
        return error;
    };
    const auto levelAt = [&](float iscale, float value) {
        return std::clamp(nearestInt(iscale * (value - min)), 0, nmax);
    };

    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    for (size_t i = 0; i < n; ++i)
        levels[i] = uint8_t(levelAt(iscale, x[i]));
    float bestError = errorOf(scale, min, [&](size_t i) { return levels[i]; });
    if (sweep.steps < 1)
        return {scale, -min};

    std::array<uint8_t, 32> trial{};
    for (int step = 0; step <= sweep.steps; ++step) {
        iscale = (sweep.rmin + sweep.rdelta * step + nmax) / (max - min);
        float sumL = 0.0f;
        float sumL2 = 0.0f;
        float sumXL = 0.0f;
        for (size_t i = 0; i < n; ++i) {
            const int l = levelAt(iscale, x[i]);
            trial[i] = uint8_t(l);
            sumL += weights[i] * l;
            sumL2 += weights[i] * l * l;
            sumXL += weights[i] * l * x[i];
        }
        const float det = sumW * sumL2 - sumL * sumL;
        if (det <= 0)
            continue;
        float trialScale = (sumW * sumXL - sumX * sumL) / det;
        float trialMin = (sumL2 * sumX - sumL * sumXL) / det;
        if (trialMin > 0) {
            trialMin = 0;
            trialScale = sumXL / sumL2;
        }
        const float error = errorOf(trialScale, trialMin, [&](size_t i) { return trial[i]; });
        if (error < bestError) {
            std::copy_n(trial.begin(), n, levels.begin());
            bestError = error;
            scale = trialScale;
            min = trialMin;
        }
    }
    return {scale, -min};
}

} // namespace bitlens::ggml
