// SPDX-License-Identifier: MIT
// Partial sums of ErrorAccumulator over one workgroup's 16384 values: sum e^2, sum x^2, sum y^2,
// sum x*y and max |e| with x the original, y the dequantized value and e = y - x. Each
// invocation sums 32 octets of values (float_octets.glsl; neighbouring invocations on
// neighbouring octets) in float, the workgroup folds them in a shared-memory tree, and the host
// adds the partials of all workgroups in double. The last workgroup also takes the count % 8
// values after the last octet.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#include "common.glsl"
#include "float_octets.glsl"

#define THREADS 64u
#define OCTETS_PER_THREAD 32u
#define VALUES_PER_WORKGROUP (THREADS * OCTETS_PER_THREAD * 8u)

layout(local_size_x = 64) in;
// Bindings 0/1 and 3/4 are the same two buffers, seen as octets and as single floats.
layout(std430, binding = 0) readonly buffer OriginalOctets {
    u64vec4 originalOctets[];
};
layout(std430, binding = 1) readonly buffer DequantizedOctets {
    u64vec4 dequantizedOctets[];
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

// Values 4h .. 4h + 3 of an octet.
vec4 octetHalf(u64vec4 octet, uint h) {
    return h == 0u ? vec4(wordFloats(octet.x), wordFloats(octet.y))
                   : vec4(wordFloats(octet.z), wordFloats(octet.w));
}

void main() {
    const uint group = linearWorkgroup();
    const uint groups = (parameters.count + VALUES_PER_WORKGROUP - 1u) / VALUES_PER_WORKGROUP;
    if (group >= groups)
        return; // beyond the data (the dispatch grid may overshoot): the whole workgroup leaves
    const uint lane = gl_LocalInvocationID.x;
    const uint octets = parameters.count / 8u;
    const uint first = group * THREADS * OCTETS_PER_THREAD;
    const uint end = min(first + THREADS * OCTETS_PER_THREAD, octets);
    vec4 sums = vec4(0.0); // e^2, x^2, y^2, x*y
    float maxError = 0.0;
    for (uint octet = first + lane; octet < end; octet += THREADS) {
        const u64vec4 x = originalOctets[octet];
        const u64vec4 y = dequantizedOctets[octet];
        add(octetHalf(x, 0u), octetHalf(y, 0u), sums, maxError);
        add(octetHalf(x, 1u), octetHalf(y, 1u), sums, maxError);
    }
    if (group == groups - 1u && lane == 0u) {
        for (uint i = octets * 8u; i < parameters.count; ++i) {
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
