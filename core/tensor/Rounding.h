// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>

// The two rounding rules the quantizers use, written so that they do not depend on the FPU
// rounding mode and so that a shader can reproduce them exactly. Both work on the magnitude:
// for m >= 0, m - floor(m) is exact in float32 (Sterbenz for m >= 1, trivially for m < 1), so the
// comparison with 0.5 sees the true fraction. Note: floor(m + 0.5) is NOT equivalent (0.49999997
// + 0.5 rounds to 1.0 in float32).
namespace bitlens {

// Nearest integer, ties to even (GLSL roundEven). The sign of x is kept (-0.25 gives -0).
inline float roundHalfToEven(float x) {
    const float magnitude = std::fabs(x);
    float lower = std::floor(magnitude);
    const float fraction = magnitude - lower;
    if (fraction > 0.5f || (fraction == 0.5f && std::fmod(lower, 2.0f) != 0.0f))
        lower += 1.0f;
    return std::copysign(lower, x);
}

// Nearest integer, ties away from zero (C roundf). GLSL: r = floor(m); if (m - r >= 0.5) r += 1;
// with m = abs(x), then copy the sign.
inline float roundHalfAwayFromZero(float x) {
    const float magnitude = std::fabs(x);
    float lower = std::floor(magnitude);
    if (magnitude - lower >= 0.5f)
        lower += 1.0f;
    return std::copysign(lower, x);
}

} // namespace bitlens
