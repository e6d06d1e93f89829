// SPDX-License-Identifier: MIT
// What the "_lanes" kernels assume of a device, as seen by one workgroup of 64 (tst_vulkan_device
// checks it): subgroups tile the workgroup in order, lane_groups.glsl's shuffles stay inside
// aligned groups of eight, and shared-memory atomics from every invocation land. Invocation i
// writes eight words from 8 * i: subgroup size, subgroup id, invocation id in the subgroup, its
// lane (as the lane kernels compute it), the lanes of invocations lane ^ 1 and lane ^ 4, the
// largest lane of its group of eight, and the shared word its own atomicOr set a bit of.
#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#include "lane_groups.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Probe {
    uint probe[];
};
layout(push_constant) uniform Parameters {
    uint unused;
}
parameters;

shared uint bits[2];

void main() {
    const uint lane = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
    if (gl_LocalInvocationIndex < 2u)
        bits[gl_LocalInvocationIndex] = 0u;
    barrier();
    atomicOr(bits[lane / 32u], 1u << (lane % 32u));
    barrier();
    const uint at = 8u * gl_LocalInvocationIndex;
    probe[at] = gl_SubgroupSize;
    probe[at + 1u] = gl_SubgroupID;
    probe[at + 2u] = gl_SubgroupInvocationID;
    probe[at + 3u] = lane;
    probe[at + 4u] = subgroupShuffleXor(lane, 1u);
    probe[at + 5u] = subgroupShuffleXor(lane, 4u);
    probe[at + 6u] = uint(groupLargestFromZero(float(lane)));
    probe[at + 7u] = bits[lane / 32u];
}
