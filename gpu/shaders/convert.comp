// SPDX-License-Identifier: MIT
// F16 or BF16 tensor bytes -> float32, one value per invocation.
// Variants: convert_f16 (-DSOURCE_F16), convert_bf16 (-DSOURCE_BF16).
#version 450
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Source {
    uint16_t source[];
};
layout(std430, binding = 1) writeonly buffer Destination {
    float destination[];
};
layout(push_constant) uniform Parameters {
    uint count;
}
parameters;

void main() {
    const uint index = linearWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (index >= parameters.count)
        return;
    const uint bits = uint(source[index]);
#if defined(SOURCE_F16)
    destination[index] = halfBitsToFloat(bits);
#elif defined(SOURCE_BF16)
    destination[index] = bf16BitsToFloat(bits);
#else
#error "define SOURCE_F16 or SOURCE_BF16"
#endif
}
