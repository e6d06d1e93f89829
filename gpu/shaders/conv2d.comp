// SPDX-License-Identifier: MIT
// Keras Conv2D over a batch of channels-last images: out[n, oy, ox, f] = bias[f] +
// sum over the window's real cells and channels of in[n, iy, ix, c] * kernel[ky, kx, c, f], with
// iy = oy * strideY + ky - padTop (cells outside the input are zero padding). One invocation per
// output value.
#version 450
#include "common.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Inputs {
    float x[];
};
layout(std430, binding = 1) readonly buffer Kernel {
    float kernel[];
};
layout(std430, binding = 2) readonly buffer Bias {
    float bias[];
};
layout(std430, binding = 3) writeonly buffer Outputs {
    float y[];
};
layout(push_constant) uniform Parameters {
    uint images;
    uint inHeight;
    uint inWidth;
    uint channels;
    uint outHeight;
    uint outWidth;
    uint filters;
    uint windowHeight;
    uint windowWidth;
    uint strideY;
    uint strideX;
    uint padTop;
    uint padLeft;
    uint hasBias;
}
p;

void main() {
    const uint index = linearWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (index >= p.images * p.outHeight * p.outWidth * p.filters)
        return;
    const uint f = index % p.filters;
    const uint cell = index / p.filters;
    const uint ox = cell % p.outWidth;
    const uint oy = (cell / p.outWidth) % p.outHeight;
    const uint image = cell / (p.outWidth * p.outHeight);
    const uint imageBase = image * p.inHeight * p.inWidth * p.channels;
    float sum = 0.0;
    for (uint ky = 0u; ky < p.windowHeight; ++ky) {
        const int iy = int(oy * p.strideY + ky) - int(p.padTop);
        if (iy < 0 || iy >= int(p.inHeight))
            continue;
        for (uint kx = 0u; kx < p.windowWidth; ++kx) {
            const int ix = int(ox * p.strideX + kx) - int(p.padLeft);
            if (ix < 0 || ix >= int(p.inWidth))
                continue;
            const uint pixel = imageBase + (uint(iy) * p.inWidth + uint(ix)) * p.channels;
            const uint taps = (ky * p.windowWidth + kx) * p.channels * p.filters + f;
            for (uint c = 0u; c < p.channels; ++c)
                sum += x[pixel + c] * kernel[taps + c * p.filters];
        }
    }
    y[index] = p.hasBias != 0u ? bias[f] + sum : sum;
}
