// SPDX-License-Identifier: MIT
// Range of a tensor for formats with one tensor-wide scale: per invocation of 8 octets (64 values,
// float_octets.glsl; neighbouring invocations on neighbouring octets), lo = min(0, min v),
// hi = max(0, max v) and absmax = max |v|, each folded from 0 with the C++ std::min/std::max
// rules (so +0 is never replaced by -0). Min and max are exact in any order: the host folds the
// partials (three floats per invocation, 64 per workgroup of 4096 values) the same way and gets
// the CPU reference's values. No shared memory or barriers: on llvmpipe a workgroup tree costs
// more than the host's fold. The last workgroup also takes the count % 8 values after the last
// octet. A workgroup's octets are read through input_windows.glsl.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "float_octets.glsl"
#include "reference_math.glsl"

#define THREADS 64u
#define OCTETS_PER_THREAD 8u
#define VALUES_PER_WORKGROUP (THREADS * OCTETS_PER_THREAD * 8u)

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Values {
    float values[];
};
#include "input_windows.glsl"
layout(std430, binding = 1) writeonly buffer Partials {
    float partials[];
}; // lo, hi, absmax per invocation
layout(push_constant) uniform Parameters {
    uint count;
}
parameters;

void fold(float value, inout float lo, inout float hi, inout float absmax) {
    lo = stdMin(lo, value);
    hi = stdMax(hi, value);
    absmax = stdMax(absmax, abs(value));
}

void main() {
    const uint group = linearWorkgroup();
    if (group * VALUES_PER_WORKGROUP >= parameters.count)
        return; // beyond the data (the dispatch grid may overshoot): the whole workgroup leaves
    const uint lane = gl_LocalInvocationID.x;
    const uint octets = parameters.count / 8u;
    float lo = 0.0;
    float hi = 0.0;
    float absmax = 0.0;
    for (uint k = 0u; k < OCTETS_PER_THREAD; ++k) {
        const uint octet = group * THREADS * OCTETS_PER_THREAD + k * THREADS + lane;
        if (octet < octets) {
            const u64vec4 words = inputOctet(octet);
            [[unroll]] for (uint w = 0u; w < 4u; ++w) {
                const vec2 pair = wordFloats(words[w]);
                fold(pair.x, lo, hi, absmax);
                fold(pair.y, lo, hi, absmax);
            }
        }
    }
    if ((group + 1u) * VALUES_PER_WORKGROUP >= parameters.count && lane == 0u)
        for (uint i = octets * 8u; i < parameters.count; ++i)
            fold(values[i], lo, hi, absmax);
    const uint slot = group * THREADS + lane;
    partials[3u * slot] = lo;
    partials[3u * slot + 1u] = hi;
    partials[3u * slot + 2u] = absmax;
}
