// SPDX-License-Identifier: MIT
// The frame of every "_lanes" kernel: 64 units (blocks or groups, one after another in the input
// and in binding 1) per workgroup of 64 invocations, encoded in eight rounds by its eight aligned
// groups of eight subgroup invocations (lane_groups.glsl), unit 8 * round + group in each round,
// so that a subgroup's units are consecutive. The includer defines STAGED_WORDS for
// staged_packing.glsl before including this, and encodeUnit (declared below), which encodes this
// invocation's share (`part` 0..7) of the chunk's unit `unit`, the workgroup's `local`-th, staging
// its packed bits from 8 * unitBytes * local on; every invocation of the group calls it
// together. main() calls laneRounds once.
#ifndef BITLENS_LANE_ROUNDS_GLSL
#define BITLENS_LANE_ROUNDS_GLSL

#include "group_error_partials.glsl"
#include "staged_packing.glsl"

#define LANE_UNITS_PER_WORKGROUP 64u

void encodeUnit(uint unit, uint local, uint part);

// `units`: the chunk's units; `unitBytes`: the packed bytes of one.
void laneRounds(uint units, uint unitBytes) {
    const uint first = linearWorkgroup() * LANE_UNITS_PER_WORKGROUP;
    if (first >= units)
        return; // the whole workgroup: the grid overshoots the chunk
    const uint count = min(LANE_UNITS_PER_WORKGROUP, units - first);
    beginStaging(first * unitBytes, (first + count) * unitBytes);
    // Groups of eight sit on consecutive subgroup invocations (subgroups of at least eight that
    // tile the workgroup, as DeviceCatalog requires).
    const uint lane = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
    const uint group = lane / 8u;
    const uint part = lane % 8u;
    [[unroll]] for (uint round = 0u; round < 8u; ++round) {
        const uint local = 8u * round + group;
        if (local < count)
            encodeUnit(first + local, local, part);
    }
    finishStaging();
    if (group < count)
        storeGroupErrorPartials(group, part);
}

#endif
