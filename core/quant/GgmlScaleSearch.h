// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>

// The scale searches of ggml's reference quantizers (no importance matrix), one function per
// search. Each fits the levels of one sub-block and returns its scale; arithmetic order follows
// ggml so that the chosen levels, and therefore the packed bytes, are the same.
namespace bitlens::ggml {

// Symmetric levels l in [-nmax, nmax-1], stored as l + nmax; value ~ scale * l. Tries 19 scales
// around nmax/max and keeps the one with the smallest x^2-weighted squared error (ggml
// make_qx_quants with rmse_type 1). Returns 0 with all levels 0 for an all-zero sub-block.
float fitSymmetricByScaleSweep(std::span<const float> x, int nmax, std::span<int8_t> levels);

// Same level range; starts from nmax/max and then moves single levels while the x^2-weighted
// error drops, at most 5 passes (ggml make_q3_quants with do_rmse).
float fitSymmetricByLevelMoves(std::span<const float> x, int nmax, std::span<int8_t> levels);

// How fitScaleAndMin sweeps: scales (nmax + rmin + rdelta*i)/(max - min), i = 0..steps, error
// measured as weighted |diff| (absoluteError) or weighted diff^2.
struct MinSweep {
    float rmin;
    float rdelta;
    int steps;
    bool absoluteError;
};

struct ScaleAndMin {
    float scale;
    float min; // >= 0, subtracted: value ~ scale * l - min
};

// Asymmetric levels l in [0, nmax]: least-squares scale and offset for each trial level set
// (ggml make_qkx2_quants). An offset that would be positive is clamped to 0. At most 32 values.
ScaleAndMin fitScaleAndMin(std::span<const float> x, std::span<const float> weights, int nmax,
                           const MinSweep& sweep, std::span<uint8_t> levels);

} // namespace bitlens::ggml
