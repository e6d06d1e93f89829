// SPDX-License-Identifier: MIT
// In place, per row of `width` values: exp(x - max) / sum. One workgroup per row.
#version 450
#include "common.glsl"

#define THREADS 256u
layout(local_size_x = 256) in;
#include "reduce.glsl"

layout(std430, binding = 0) buffer Values {
    float values[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint width;
}
p;

void main() {
    const uint row = linearWorkgroup();
    if (row >= p.rows)
        return; // the whole workgroup leaves together
    const uint lane = gl_LocalInvocationID.x;
    const uint base = row * p.width;
    float largest = uintBitsToFloat(0xff800000u);
    for (uint i = lane; i < p.width; i += THREADS)
        largest = max(largest, values[base + i]);
    largest = workgroupMax(largest);
    float sum = 0.0;
    for (uint i = lane; i < p.width; i += THREADS) {
        const float e = exp(values[base + i] - largest);
        values[base + i] = e;
        sum += e;
    }
    const float inverse = 1.0 / workgroupSum(sum);
    for (uint i = lane; i < p.width; i += THREADS)
        values[base + i] *= inverse;
}
