// SPDX-License-Identifier: MIT
// Partial sums of ErrorAccumulator over one workgroup's 16384 values: sum e^2, sum x^2, sum y^2,
// sum x*y and max |e| with x the original, y the dequantized value and e = y - x. Each
// invocation sums 64 quads (vec4 loads, neighbouring invocations on neighbouring quads) in
// float, the workgroup folds them in a shared-memory tree, and the host adds the partials of all
// workgroups in double. The last workgroup also takes the count % 4 values after the last quad.
#version 450
#include "common.glsl"

#define THREADS 64u
#define QUADS_PER_THREAD 64u

layout(local_size_x = 64) in;
// Bindings 0/1 and 3/4 are the same two buffers, seen as quads and as single floats.
layout(std430, binding = 0) readonly buffer OriginalQuads {
    vec4 originalQuads[];
};
layout(std430, binding = 1) readonly buffer DequantizedQuads {
    vec4 dequantizedQuads[];
};
// Five floats per workgroup: sumSquaredError, sumSquaredOriginal, sumSquaredDequantized,
// sumProduct, maxAbsError.
layout(std430, binding = 2) writeonly buffer Partials {
    float partials[];
};
layout(std430, binding = 3) readonly buffer Original {
    float original[];
};
layout(std430, binding = 4) readonly buffer Dequantized {
    float dequantized[];
};
layout(push_constant) uniform Parameters {
    uint count;
}
parameters;

shared vec4 foldedSums[THREADS];
shared float foldedMax[THREADS];

void add(vec4 x, vec4 y, inout vec4 sums, inout float maxError) {
    const vec4 e = y - x;
    sums += vec4(dot(e, e), dot(x, x), dot(y, y), dot(x, y));
    const vec4 magnitude = abs(e);
    maxError = max(maxError, max(max(magnitude.x, magnitude.y), max(magnitude.z, magnitude.w)));
}

void main() {
    const uint group = linearWorkgroup();
    const uint groups = (parameters.count + THREADS * QUADS_PER_THREAD * 4u - 1u) /
                        (THREADS * QUADS_PER_THREAD * 4u);
    if (group >= groups)
        return; // beyond the data (the dispatch grid may overshoot): the whole workgroup leaves
    const uint lane = gl_LocalInvocationID.x;
    const uint quads = parameters.count / 4u;
    const uint first = group * THREADS * QUADS_PER_THREAD;
    const uint end = min(first + THREADS * QUADS_PER_THREAD, quads);
    vec4 sums = vec4(0.0); // e^2, x^2, y^2, x*y
    float maxError = 0.0;
    for (uint quad = first + lane; quad < end; quad += THREADS)
        add(originalQuads[quad], dequantizedQuads[quad], sums, maxError);
    if (group == groups - 1u && lane == 0u) {
        for (uint i = quads * 4u; i < parameters.count; ++i) {
            const float x = original[i];
            const float y = dequantized[i];
            add(vec4(x, 0.0, 0.0, 0.0), vec4(y, 0.0, 0.0, 0.0), sums, maxError);
        }
    }
    foldedSums[lane] = sums;
    foldedMax[lane] = maxError;
    barrier();
    for (uint width = THREADS / 2u; width > 0u; width /= 2u) {
        if (lane < width) {
            foldedSums[lane] += foldedSums[lane + width];
            foldedMax[lane] = max(foldedMax[lane], foldedMax[lane + width]);
        }
        barrier();
    }
    if (lane == 0u) {
        partials[group * 5u] = foldedSums[0].x;
        partials[group * 5u + 1u] = foldedSums[0].y;
        partials[group * 5u + 2u] = foldedSums[0].z;
        partials[group * 5u + 3u] = foldedSums[0].w;
        partials[group * 5u + 4u] = foldedMax[0];
    }
}
