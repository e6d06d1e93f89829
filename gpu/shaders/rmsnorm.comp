// SPDX-License-Identifier: MIT
// Per row of `dim` values: out = in / sqrt(mean(in^2) + epsilon) * weight. One workgroup per
// row; out may be the input buffer.
#version 450
#include "common.glsl"

#define THREADS 256u
layout(local_size_x = 256) in;
#include "reduce.glsl"

layout(std430, binding = 0) readonly buffer Inputs {
    float x[];
};
layout(std430, binding = 1) readonly buffer Weight {
    float weight[];
};
layout(std430, binding = 2) writeonly buffer Outputs {
    float y[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint dim;
    float epsilon;
}
p;

void main() {
    const uint row = linearWorkgroup();
    if (row >= p.rows)
        return;
    const uint lane = gl_LocalInvocationID.x;
    const uint base = row * p.dim;
    float squares = 0.0;
    for (uint i = lane; i < p.dim; i += THREADS)
        squares += x[base + i] * x[base + i];
    const float inverse = 1.0 / sqrt(workgroupSum(squares) / float(p.dim) + p.epsilon);
    for (uint i = lane; i < p.dim; i += THREADS)
        y[base + i] = x[base + i] * inverse * weight[i];
}
