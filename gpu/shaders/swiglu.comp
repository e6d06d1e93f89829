// SPDX-License-Identifier: MIT
// out = silu(gate) * up, silu(x) = x / (1 + exp(-x)).
#version 450
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Gate {
    float gate[];
};
layout(std430, binding = 1) readonly buffer Up {
    float up[];
};
layout(std430, binding = 2) writeonly buffer Outputs {
    float y[];
};
layout(push_constant) uniform Parameters {
    uint count;
}
p;

void main() {
    const uint index = linearWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (index >= p.count)
        return;
    const float g = gate[index];
    y[index] = g / (1.0 + exp(-g)) * up[index];
}
