// SPDX-License-Identifier: MIT
// Rotary embedding in place over rows of [heads * headDim] values; `table` holds cos and sin of
// each (row, pair) angle as [rows, headDim / 2, 2], computed on the host (RopeOp.h). Pair i of a
// head is (2i, 2i + 1), or (i, i + headDim / 2) when halfSplit is 1. One invocation per pair.
#version 450
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer Rows {
    float values[];
};
layout(std430, binding = 1) readonly buffer Table {
    float table[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint heads;
    uint headDim;
    uint halfSplit;
}
p;

void main() {
    const uint half_ = p.headDim / 2u;
    const uint index = linearWorkgroup() * 256u + gl_LocalInvocationID.x;
    if (index >= p.rows * p.heads * half_)
        return;
    const uint i = index % half_;
    const uint head = index / half_; // row * heads + h
    const uint row = head / p.heads;
    const uint base = head * p.headDim;
    const uint first = base + (p.halfSplit != 0u ? i : 2u * i);
    const uint second = base + (p.halfSplit != 0u ? i + half_ : 2u * i + 1u);
    const float cosine = table[(row * half_ + i) * 2u];
    const float sine = table[(row * half_ + i) * 2u + 1u];
    const float x = values[first];
    const float y = values[second];
    values[first] = x * cosine - y * sine;
    values[second] = x * sine + y * cosine;
}
