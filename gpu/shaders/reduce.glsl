// SPDX-License-Identifier: MIT
// Workgroup reductions over THREADS lanes (THREADS a power of two, defined by the includer).
// Every lane of the workgroup must call them, in the same order; each returns the folded value
// to every lane.
#ifndef BITLENS_REDUCE_GLSL
#define BITLENS_REDUCE_GLSL

shared float reduceScratch[THREADS];

float workgroupSum(float value) {
    const uint lane = gl_LocalInvocationID.x;
    reduceScratch[lane] = value;
    barrier();
    for (uint width = THREADS / 2u; width > 0u; width /= 2u) {
        if (lane < width)
            reduceScratch[lane] += reduceScratch[lane + width];
        barrier();
    }
    const float result = reduceScratch[0];
    barrier(); // the scratch may be reused right away
    return result;
}

float workgroupMax(float value) {
    const uint lane = gl_LocalInvocationID.x;
    reduceScratch[lane] = value;
    barrier();
    for (uint width = THREADS / 2u; width > 0u; width /= 2u) {
        if (lane < width)
            reduceScratch[lane] = max(reduceScratch[lane], reduceScratch[lane + width]);
        barrier();
    }
    const float result = reduceScratch[0];
    barrier();
    return result;
}

#endif
