// SPDX-License-Identifier: MIT
// Causal grouped-query attention over one sequence: workgroup g answers query position
// g / heads, head g % heads, which reads key/value head h / (heads / kvHeads) at positions
// 0..p. Scores q.k * scale are kept in shared memory (at most MAX_POSITIONS), softmaxed, then
// out[i] = sum_t score[t] * v[t, i].
#version 450
#include "common.glsl"

#define THREADS 64u
#define MAX_POSITIONS 2048u
layout(local_size_x = 64) in;
#include "reduce.glsl"

layout(std430, binding = 0) readonly buffer Queries {
    float q[];
};
layout(std430, binding = 1) readonly buffer Keys {
    float k[];
};
layout(std430, binding = 2) readonly buffer Values {
    float v[];
};
layout(std430, binding = 3) writeonly buffer Outputs {
    float y[];
};
layout(push_constant) uniform Parameters {
    uint positions;
    uint heads;
    uint kvHeads;
    uint headDim;
    float scale;
}
p;

shared float scores[MAX_POSITIONS];

void main() {
    const uint group = linearWorkgroup();
    if (group >= p.positions * p.heads)
        return;
    const uint lane = gl_LocalInvocationID.x;
    const uint position = group / p.heads;
    const uint head = group % p.heads;
    const uint kvHead = head / (p.heads / p.kvHeads);
    const uint query = (position * p.heads + head) * p.headDim;
    const uint kvStride = p.kvHeads * p.headDim;
    float largest = uintBitsToFloat(0xff800000u);
    for (uint t = lane; t <= position; t += THREADS) {
        const uint key = t * kvStride + kvHead * p.headDim;
        float dot = 0.0;
        for (uint i = 0u; i < p.headDim; ++i)
            dot += q[query + i] * k[key + i];
        scores[t] = dot * p.scale;
        largest = max(largest, scores[t]);
    }
    largest = workgroupMax(largest);
    float sum = 0.0;
    for (uint t = lane; t <= position; t += THREADS) {
        scores[t] = exp(scores[t] - largest);
        sum += scores[t];
    }
    const float inverse = 1.0 / workgroupSum(sum); // its barriers publish every lane's scores
    for (uint i = lane; i < p.headDim; i += THREADS) {
        float result = 0.0;
        for (uint t = 0u; t <= position; ++t)
            result += scores[t] * v[t * kvStride + kvHead * p.headDim + i];
        y[query + i] = result * inverse;
    }
}
