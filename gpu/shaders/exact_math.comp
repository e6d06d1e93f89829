// SPDX-License-Identifier: MIT
// The exact operations the quantizers rely on, as a kernel of their own so that tests can compare
// them with the CPU's IEEE results on the device, in both variants (exact_math, exact_math_f64):
// results[i] = exactDivide(a[i], b[i]) (common.glsl) for operation 0, exactSqrt(a[i])
// (exact_sqrt.glsl) for operation 1.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "exact_sqrt.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer Results {
    float results[];
};
layout(std430, binding = 1) readonly buffer FirstOperands {
    float a[];
};
layout(std430, binding = 2) readonly buffer SecondOperands {
    float b[];
};
layout(push_constant) uniform Parameters {
    uint count;
    uint operation;
}
p;

void main() {
    const uint index = linearWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (index >= p.count)
        return;
    results[index] = p.operation == 0u ? exactDivide(a[index], b[index]) : exactSqrt(a[index]);
}
