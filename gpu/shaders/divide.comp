// SPDX-License-Identifier: MIT
// quotients[i] = exactDivide(numerators[i], denominators[i]) (common.glsl): the division every
// quantizer relies on, as a kernel of its own so that tests can compare it with the CPU's IEEE
// division on the device, in both variants (divide, divide_f64).
#version 450
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer Quotients {
    float quotients[];
};
layout(std430, binding = 1) readonly buffer Numerators {
    float numerators[];
};
layout(std430, binding = 2) readonly buffer Denominators {
    float denominators[];
};
layout(push_constant) uniform Parameters {
    uint count;
}
p;

void main() {
    const uint index = linearWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (index >= p.count)
        return;
    quotients[index] = exactDivide(numerators[index], denominators[index]);
}
