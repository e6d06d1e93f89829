// SPDX-License-Identifier: MIT
// Range of a tensor for formats with one tensor-wide scale: per workgroup of 4096 values,
// lo = min(0, min v), hi = max(0, max v) and absmax = max |v|, each folded from 0 with the C++
// std::min/std::max rules (so +0 is never replaced by -0). Min and max are exact in any order:
// the host folds the partials the same way and gets the CPU reference's values.
#version 450
#include "common.glsl"
#include "reference_math.glsl"

#define THREADS 256u
#define PER_THREAD 16u

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Values {
    float values[];
};
layout(std430, binding = 1) writeonly buffer Partials {
    float partials[];
}; // lo, hi, absmax
layout(push_constant) uniform Parameters {
    uint count;
}
parameters;

shared float folded[3][THREADS];

void main() {
    const uint group = linearWorkgroup();
    if (group * THREADS * PER_THREAD >= parameters.count)
        return; // beyond the data (the dispatch grid may overshoot): the whole workgroup leaves
    const uint lane = gl_LocalInvocationID.x;
    const uint base = group * THREADS * PER_THREAD + lane;
    float lo = 0.0;
    float hi = 0.0;
    float absmax = 0.0;
    for (uint k = 0u; k < PER_THREAD; ++k) {
        const uint index = base + k * THREADS;
        if (index >= parameters.count)
            break;
        const float value = values[index];
        lo = stdMin(lo, value);
        hi = stdMax(hi, value);
        absmax = stdMax(absmax, abs(value));
    }
    folded[0][lane] = lo;
    folded[1][lane] = hi;
    folded[2][lane] = absmax;
    barrier();
    for (uint width = THREADS / 2u; width > 0u; width /= 2u) {
        if (lane < width) {
            folded[0][lane] = stdMin(folded[0][lane], folded[0][lane + width]);
            folded[1][lane] = stdMax(folded[1][lane], folded[1][lane + width]);
            folded[2][lane] = stdMax(folded[2][lane], folded[2][lane + width]);
        }
        barrier();
    }
    if (lane == 0u)
        for (uint s = 0u; s < 3u; ++s)
            partials[group * 3u + s] = folded[s][0];
}
