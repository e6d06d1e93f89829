// SPDX-License-Identifier: MIT
// error_partials.glsl for the "_lanes" kernels: the eight invocations of an aligned group
// (lane_groups.glsl) add their sums before one of them stores them, so that a workgroup of 64
// writes 8 slots (kLaneGroupsPerWorkgroup in gpu/src/FormatKernel.h), slot
// linearWorkgroup() * 8 + the group's index, instead of 64. The additions carry their rounding
// errors along (Knuth's two-sum), so the group's sums are as accurate as each invocation's.
#ifndef BITLENS_GROUP_ERROR_PARTIALS_GLSL
#define BITLENS_GROUP_ERROR_PARTIALS_GLSL

#include "error_partials.glsl"
#include "lane_groups.glsl"

// Call once at the end of main, by all eight invocations of the group together (`part` its
// position in the group, `group` its index in the workgroup).
void storeGroupErrorPartials(uint group, uint part) {
    foldErrors();
    precise vec4 sums = errorSums - errorCompensation; // Kahan's sums, their lost parts back
    precise vec4 lost = vec4(0.0);
    float largest = errorMax;
    [[unroll]] for (uint mask = 1u; mask < 8u; mask *= 2u) {
        const vec4 other = subgroupShuffleXor(sums, mask);
        const vec4 otherLost = subgroupShuffleXor(lost, mask);
        precise vec4 total = sums + other;
        precise vec4 otherShare = total - sums;
        precise vec4 rounding = (sums - (total - otherShare)) + (other - otherShare);
        lost = lost + otherLost + rounding;
        sums = total;
        largest = max(largest, subgroupShuffleXor(largest, mask));
    }
    if (part == 0u) {
        precise vec4 corrected = sums + lost;
        storeErrorSlot(linearWorkgroup() * 8u + group, corrected, largest);
    }
}

#endif
