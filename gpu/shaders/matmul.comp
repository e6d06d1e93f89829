// SPDX-License-Identifier: MIT
// Y[r, o] = sum_k X[r, k] * W(o, k) + bias[o], tiled 16 x 16 through shared memory. Variant
// WEIGHT_IN_OUT reads W as [inFeatures, outFeatures] (Keras Dense kernels); otherwise W is
// [outFeatures, inFeatures] (linear layers: rows = output channels). Workgroup g computes the
// output tile (g / tilesAcross, g % tilesAcross), tilesAcross = ceil(outFeatures / 16).
#version 450
#include "common.glsl"

#define TILE 16u

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

shared float inputTile[TILE][TILE];      // [row][k]
shared float weightTile[TILE][TILE + 1u]; // [k][output column], padded against bank conflicts

void main() {
    const uint tilesAcross = (parameters.outFeatures + TILE - 1u) / TILE;
    const uint group = linearWorkgroup();
    const uint firstRow = (group / tilesAcross) * TILE;
    const uint firstColumn = (group % tilesAcross) * TILE;
    if (firstRow >= parameters.rows)
        return; // beyond the grid: the whole workgroup leaves together
    const uint ly = gl_LocalInvocationID.y;
    const uint lx = gl_LocalInvocationID.x;
    const uint row = firstRow + ly;
    const uint column = firstColumn + lx;
    const uint inFeatures = parameters.inFeatures;
    float sum = 0.0;
    for (uint k0 = 0u; k0 < inFeatures; k0 += TILE) {
        inputTile[ly][lx] =
            row < parameters.rows && k0 + lx < inFeatures ? x[row * inFeatures + k0 + lx] : 0.0;
#ifdef WEIGHT_IN_OUT
        // Thread (ly, lx) loads k = k0 + ly, output column firstColumn + lx.
        weightTile[ly][lx] = k0 + ly < inFeatures && column < parameters.outFeatures
                                 ? w[(k0 + ly) * parameters.outFeatures + column]
                                 : 0.0;
#else
        // Thread (ly, lx) loads output column firstColumn + ly, k = k0 + lx.
        weightTile[lx][ly] = firstColumn + ly < parameters.outFeatures && k0 + lx < inFeatures
                                 ? w[(firstColumn + ly) * inFeatures + k0 + lx]
                                 : 0.0;
#endif
        barrier();
        for (uint k = 0u; k < TILE; ++k)
            sum += inputTile[ly][k] * weightTile[k][lx];
        barrier();
    }
    if (row < parameters.rows && column < parameters.outFeatures)
        y[row * parameters.outFeatures + column] =
            parameters.hasBias != 0u ? sum + bias[column] : sum;
}
