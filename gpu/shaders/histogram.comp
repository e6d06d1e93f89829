// SPDX-License-Identifier: MIT
// Histogram with caller-given edges: e[0..bins-1] ascending lower bounds (+infinity for a bin
// nothing reaches), v counts in the last bin i with e[i] <= v; below e[0] counts as underflow,
// above e[bins] as overflow, NaN on its own. With errorMode set it bins values - reference.
// Counts: [0, bins) the bins, [bins] underflow, [bins+1] overflow, [bins+2] NaN; added
// atomically, so the buffer must be zeroed before the first dispatch.
#version 450
#include "common.glsl"

#define THREADS 256u
#define PER_THREAD 16u
#define MAX_BINS 4096u

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Values {
    float values[];
};
layout(std430, binding = 1) readonly buffer Reference {
    float reference[];
};
layout(std430, binding = 2) readonly buffer Edges {
    float edges[];
};
layout(std430, binding = 3) buffer Counts {
    uint counts[];
};
layout(push_constant) uniform Parameters {
    uint count;
    uint bins;
    uint errorMode; // 1: bin values[i] - reference[i]
}
parameters;

shared uint localCounts[MAX_BINS + 3u];

uint binOf(float v) {
    const uint bins = parameters.bins;
    if (isnan(v))
        return bins + 2u;
    if (v < edges[0])
        return bins;
    if (v > edges[bins])
        return bins + 1u;
    // Largest i in [0, bins) with edges[i] <= v.
    uint low = 0u;
    uint high = bins;
    while (high - low > 1u) {
        const uint middle = (low + high) / 2u;
        if (edges[middle] <= v)
            low = middle;
        else
            high = middle;
    }
    return low;
}

void main() {
    const uint bins = parameters.bins;
    for (uint i = gl_LocalInvocationID.x; i < bins + 3u; i += THREADS)
        localCounts[i] = 0u;
    barrier();
    const uint base = linearWorkgroup() * THREADS * PER_THREAD + gl_LocalInvocationID.x;
    for (uint k = 0u; k < PER_THREAD; ++k) {
        const uint index = base + k * THREADS;
        if (index >= parameters.count)
            break;
        precise float v = values[index];
        if (parameters.errorMode != 0u)
            v = values[index] - reference[index];
        atomicAdd(localCounts[binOf(v)], 1u);
    }
    barrier();
    for (uint i = gl_LocalInvocationID.x; i < bins + 3u; i += THREADS)
        if (localCounts[i] != 0u)
            atomicAdd(counts[i], localCounts[i]);
}
