// SPDX-License-Identifier: MIT
// Inference batch normalization over the last axis, as Keras (core/eval/LayerMath.h):
// factor = gamma / sqrt(variance + epsilon), out = in * factor + (beta - mean * factor); gamma
// and beta are 1 / 0 when hasGamma / hasBeta is 0.
#version 450
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Inputs {
    float x[];
};
layout(std430, binding = 1) readonly buffer Gamma {
    float gamma[];
};
layout(std430, binding = 2) readonly buffer Beta {
    float beta[];
};
layout(std430, binding = 3) readonly buffer Mean {
    float mean[];
};
layout(std430, binding = 4) readonly buffer Variance {
    float variance[];
};
layout(std430, binding = 5) writeonly buffer Outputs {
    float y[];
};
layout(push_constant) uniform Parameters {
    uint count;
    uint channels;
    float epsilon;
    uint hasGamma;
    uint hasBeta;
}
p;

void main() {
    const uint index = linearWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (index >= p.count)
        return;
    const uint c = index % p.channels;
    const float factor = (p.hasGamma != 0u ? gamma[c] : 1.0) / sqrt(variance[c] + p.epsilon);
    const float shift = (p.hasBeta != 0u ? beta[c] : 0.0) - mean[c] * factor;
    y[index] = x[index] * factor + shift;
}
