// SPDX-License-Identifier: MIT
// Reductions over an aligned group of eight subgroup invocations (subgroup invocations 8k ..
// 8k + 7), with subgroup shuffles: every invocation of the group gets the result. Each one folds
// the CPU reference's rule for its running value, so the result is the CPU's whatever the order.
// DeviceCatalog requires subgroups of at least eight invocations; the includer enables
// GL_KHR_shader_subgroup_basic and GL_KHR_shader_subgroup_shuffle, and every invocation of a group
// must call the same reductions (none may have returned).
#ifndef BITLENS_LANE_GROUPS_GLSL
#define BITLENS_LANE_GROUPS_GLSL

// The larger of two running maxima kept from 0, as the CPU keeps them: values not above +0 count
// as +0.
float largerFromZero(float a, float b) {
    return b > a ? b : a;
}

// The largest of `value` over the group, from +0 (values not above +0 count as +0).
float groupLargestFromZero(float value) {
    float largest = value > 0.0 ? value : 0.0;
    [[unroll]] for (uint mask = 1u; mask < 8u; mask *= 2u) largest =
        largerFromZero(largest, subgroupShuffleXor(largest, mask));
    return largest;
}

// The value of largest magnitude over the group, the lowest `index` among equal magnitudes (the
// CPU scans in order and keeps a strictly larger one); +0 when all are zero.
float groupLargestMagnitude(float value, uint index) {
    float largest = value;
    [[unroll]] for (uint mask = 1u; mask < 8u; mask *= 2u) {
        const float other = subgroupShuffleXor(largest, mask);
        const uint otherIndex = subgroupShuffleXor(index, mask);
        const bool takeOther =
            abs(other) > abs(largest) || (abs(other) == abs(largest) && otherIndex < index);
        largest = takeOther ? other : largest;
        index = takeOther ? otherIndex : index;
    }
    return abs(largest) > 0.0 ? largest : 0.0;
}

// The lowest (`lowest`) or highest value over the group, the lowest `index` among equal ones:
// the CPU's running extreme that a strictly lower (higher) value replaces, which keeps the first
// of -0 and +0.
float groupFirstExtreme(float value, uint index, bool lowest) {
    float extreme = value;
    [[unroll]] for (uint mask = 1u; mask < 8u; mask *= 2u) {
        const float other = subgroupShuffleXor(extreme, mask);
        const uint otherIndex = subgroupShuffleXor(index, mask);
        const bool beyond = lowest ? other < extreme : other > extreme;
        const bool takeOther = beyond || (other == extreme && otherIndex < index);
        extreme = takeOther ? other : extreme;
        index = takeOther ? otherIndex : index;
    }
    return extreme;
}

// min(0, min v) and max(0, max v) over the group by std::min and std::max from +0, for running
// values that are +0 or below (`lo`) and +0 or above (`hi`): the sign of a zero result is +.
void groupRangeFromZero(inout float lo, inout float hi) {
    [[unroll]] for (uint mask = 1u; mask < 8u; mask *= 2u) {
        const float otherLo = subgroupShuffleXor(lo, mask);
        const float otherHi = subgroupShuffleXor(hi, mask);
        lo = otherLo < lo ? otherLo : lo;
        hi = hi < otherHi ? otherHi : hi;
    }
}

#endif
