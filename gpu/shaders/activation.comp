// SPDX-License-Identifier: MIT
// Element-wise Keras activations in place (core/eval/Activation.h); softmax runs in softmax.comp.
// kind: 0 linear, 1 relu (general: threshold, cap, negative slope), 2 sigmoid, 3 tanh, 4 gelu
// (exact, through erfc), 5 swish.
#version 450
#include "common.glsl"
#include "special_math.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer Values {
    float values[];
};
layout(push_constant) uniform Parameters {
    uint count;
    uint kind;
    float negativeSlope;
    float maxValue;
    float threshold;
}
p;

void main() {
    const uint index = linearWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (index >= p.count)
        return;
    const float x = values[index];
    float y = x;
    switch (p.kind) {
    case 1u:
        y = x >= p.threshold ? min(x, p.maxValue) : p.negativeSlope * (x - p.threshold);
        break;
    case 2u:
        y = 1.0 / (1.0 + exp(-x));
        break;
    case 3u:
        y = accurateTanh(x);
        break;
    case 4u:
        y = 0.5 * x * erfcApprox(-x * 0.70710678118654752);
        break;
    case 5u:
        y = x / (1.0 + exp(-x));
        break;
    }
    values[index] = y;
}
