// SPDX-License-Identifier: MIT
// Y[r, o] = sum_k X[r, k] * W(o, k) + bias[o], tiled through shared memory: a workgroup of 16 x 16
// invocations computes a 64 x 64 output tile, each invocation 4 x 4 values (rows ly + 16 i,
// columns lx + 16 j), stepping over k 16 at a time. Variant WEIGHT_IN_OUT reads W as
// [inFeatures, outFeatures] (Keras Dense kernels); otherwise W is [outFeatures, inFeatures]
// (linear layers: rows = output channels). Workgroup g computes tile (g / tilesAcross,
// g % tilesAcross), tilesAcross = ceil(outFeatures / 64).
#version 450
#include "common.glsl"

#define BLOCK 64u // output rows and columns per workgroup
#define STEP 16u  // k values per shared-memory step
#define SIDE 16u  // invocations per workgroup side

layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) readonly buffer Inputs {
    float x[];
};
layout(std430, binding = 1) readonly buffer Weights {
    float w[];
};
layout(std430, binding = 2) readonly buffer Bias {
    float bias[];
};
layout(std430, binding = 3) writeonly buffer Outputs {
    float y[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint inFeatures;
    uint outFeatures;
    uint hasBias;
}
parameters;

shared float inputTile[STEP][BLOCK];  // [k][row]
shared float weightTile[STEP][BLOCK]; // [k][output column]

void main() {
    const uint tilesAcross = (parameters.outFeatures + BLOCK - 1u) / BLOCK;
    const uint group = linearWorkgroup();
    const uint firstRow = (group / tilesAcross) * BLOCK;
    const uint firstColumn = (group % tilesAcross) * BLOCK;
    if (firstRow >= parameters.rows)
        return; // beyond the grid: the whole workgroup leaves together
    const uint ly = gl_LocalInvocationID.y;
    const uint lx = gl_LocalInvocationID.x;
    const uint lane = ly * SIDE + lx;
    const uint inFeatures = parameters.inFeatures;
    const uint outFeatures = parameters.outFeatures;
    float sums[4][4];
    for (uint i = 0u; i < 4u; ++i)
        for (uint j = 0u; j < 4u; ++j)
            sums[i][j] = 0.0;
    for (uint k0 = 0u; k0 < inFeatures; k0 += STEP) {
        // Each invocation loads 4 of the 64 x 16 input values and 4 of the 16 x 64 weights, with
        // neighbouring invocations reading neighbouring addresses.
        for (uint l = 0u; l < 4u; ++l) {
            const uint index = lane + l * SIDE * SIDE;
            const uint r = index / STEP;
            const uint k = index % STEP;
            const uint row = firstRow + r;
            inputTile[k][r] =
                row < parameters.rows && k0 + k < inFeatures ? x[row * inFeatures + k0 + k] : 0.0;
#ifdef WEIGHT_IN_OUT
            const uint wk = index / BLOCK;
            const uint wc = index % BLOCK;
            weightTile[wk][wc] = k0 + wk < inFeatures && firstColumn + wc < outFeatures
                                     ? w[(k0 + wk) * outFeatures + firstColumn + wc]
                                     : 0.0;
#else
            const uint wc = index / STEP;
            const uint wk = index % STEP;
            weightTile[wk][wc] = k0 + wk < inFeatures && firstColumn + wc < outFeatures
                                     ? w[(firstColumn + wc) * inFeatures + k0 + wk]
                                     : 0.0;
#endif
        }
        barrier();
        for (uint k = 0u; k < STEP; ++k) {
            float a[4];
            float b[4];
            for (uint i = 0u; i < 4u; ++i) {
                a[i] = inputTile[k][ly + i * SIDE];
                b[i] = weightTile[k][lx + i * SIDE];
            }
            for (uint i = 0u; i < 4u; ++i)
                for (uint j = 0u; j < 4u; ++j)
                    sums[i][j] += a[i] * b[j];
        }
        barrier();
    }
    for (uint i = 0u; i < 4u; ++i) {
        const uint row = firstRow + ly + i * SIDE;
        for (uint j = 0u; j < 4u; ++j) {
            const uint column = firstColumn + lx + j * SIDE;
            if (row < parameters.rows && column < outFeatures)
                y[row * outFeatures + column] =
                    parameters.hasBias != 0u ? sums[i][j] + bias[column] : sums[i][j];
        }
    }
}
