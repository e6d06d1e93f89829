// SPDX-License-Identifier: MIT
// target += values, element by element (residual connections).
#version 450
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer Target {
    float target[];
};
layout(std430, binding = 1) readonly buffer Values {
    float values[];
};
layout(push_constant) uniform Parameters {
    uint count;
}
p;

void main() {
    const uint index = linearWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (index >= p.count)
        return;
    target[index] += values[index];
}
