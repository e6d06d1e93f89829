// SPDX-License-Identifier: MIT
// Partial sums of ErrorAccumulator over one workgroup's 4096 values: sum e^2, sum x^2, sum y^2,
// sum x*y and max |e| with x the original, y the dequantized value and e = y - x. Each
// invocation sums 16 values in float, the workgroup combines them with subgroup and shared
// reductions, and the host adds the partials of all workgroups in double.
#version 450
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_KHR_shader_subgroup_basic : require
#include "common.glsl"

#define THREADS 256u
#define PER_THREAD 16u

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Original {
    float original[];
};
layout(std430, binding = 1) readonly buffer Dequantized {
    float dequantized[];
};
// Five floats per workgroup: sumSquaredError, sumSquaredOriginal, sumSquaredDequantized,
// sumProduct, maxAbsError.
layout(std430, binding = 2) writeonly buffer Partials {
    float partials[];
};
layout(push_constant) uniform Parameters {
    uint count;
}
parameters;

shared float subgroupSums[5][THREADS];

void main() {
    const uint group = linearWorkgroup();
    const uint base = group * THREADS * PER_THREAD + gl_LocalInvocationID.x;
    float sums[5] = float[5](0.0, 0.0, 0.0, 0.0, 0.0);
    for (uint k = 0u; k < PER_THREAD; ++k) {
        const uint index = base + k * THREADS;
        if (index >= parameters.count)
            break;
        const float x = original[index];
        const float y = dequantized[index];
        precise const float e = y - x;
        sums[0] += e * e;
        sums[1] += x * x;
        sums[2] += y * y;
        sums[3] += x * y;
        sums[4] = max(sums[4], abs(e));
    }
    float reduced[5];
    for (uint s = 0u; s < 4u; ++s)
        reduced[s] = subgroupAdd(sums[s]);
    reduced[4] = subgroupMax(sums[4]);
    if (subgroupElect())
        for (uint s = 0u; s < 5u; ++s)
            subgroupSums[s][gl_SubgroupID] = reduced[s];
    barrier();
    if (gl_LocalInvocationID.x == 0u) {
        float totals[5] = float[5](0.0, 0.0, 0.0, 0.0, 0.0);
        for (uint subgroup = 0u; subgroup < gl_NumSubgroups; ++subgroup) {
            for (uint s = 0u; s < 4u; ++s)
                totals[s] += subgroupSums[s][subgroup];
            totals[4] = max(totals[4], subgroupSums[4][subgroup]);
        }
        for (uint s = 0u; s < 5u; ++s)
            partials[group * 5u + s] = totals[s];
    }
}
