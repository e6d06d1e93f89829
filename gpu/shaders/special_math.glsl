// SPDX-License-Identifier: MIT
// Functions GLSL lacks or computes too loosely for a 1e-4 relative match with the C++ library.
#ifndef BITLENS_SPECIAL_MATH_GLSL
#define BITLENS_SPECIAL_MATH_GLSL

// erfc(z) with relative error below 1.2e-7 for every z (the Chebyshev fit of Numerical Recipes'
// erfcc); 1 + erf(z) = erfc(-z) keeps its relative accuracy where erf is close to -1.
float erfcApprox(float z) {
    const float a = abs(z);
    const float t = 1.0 / (1.0 + 0.5 * a);
    const float tail =
        t * exp(-a * a - 1.26551223 +
                t * (1.00002368 +
                     t * (0.37409196 +
                          t * (0.09678418 +
                               t * (-0.18628806 +
                                    t * (0.27886807 +
                                         t * (-1.13520398 +
                                              t * (1.48851587 +
                                                   t * (-0.82215223 + t * 0.17087277)))))))));
    return z >= 0.0 ? tail : 2.0 - tail;
}

// tanh with small relative error near 0 (odd Taylor series) and no overflow for large |x|.
float accurateTanh(float x) {
    const float a = abs(x);
    if (a < 0.25) {
        const float x2 = x * x;
        return x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0))));
    }
    const float e = exp(-2.0 * a); // in (0, 1): no overflow
    return sign(x) * (1.0 - e) / (1.0 + e);
}

#endif
