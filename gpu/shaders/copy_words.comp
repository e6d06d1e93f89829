// SPDX-License-Identifier: MIT
// The memory-bandwidth probe of `bench formats` (gpu/src/MemoryBandwidth.h): copies `count`
// 16-byte words from binding 0 to binding 1. Each workgroup copies 4 * 256 consecutive words,
// consecutive invocations consecutive words, all four loads before the stores: the access
// pattern that reaches a GPU's memory bandwidth.
#version 450
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Source {
    uvec4 source[];
};
layout(std430, binding = 1) writeonly buffer Destination {
    uvec4 destination[];
};
layout(push_constant) uniform Parameters {
    uint count;
}
parameters;

void main() {
    const uint first = linearWorkgroup() * 1024u + gl_LocalInvocationID.x;
    uvec4 words[4];
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint index = first + 256u * k;
        words[k] = index < parameters.count ? source[index] : uvec4(0u);
    }
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        const uint index = first + 256u * k;
        if (index < parameters.count)
            destination[index] = words[k];
    }
}
