// SPDX-License-Identifier: MIT
// Max (variant MAX) or average (variant AVERAGE) pooling of a batch of channels-last images, per
// channel over each window's real cells (padding is skipped, as TensorFlow does: an average
// divides by the number of real cells; a window with none gives -inf / 0 like the CPU
// reference). One invocation per output value.
#version 450
#include "common.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Inputs {
    float x[];
};
layout(std430, binding = 1) writeonly buffer Outputs {
    float y[];
};
layout(push_constant) uniform Parameters {
    uint images;
    uint inHeight;
    uint inWidth;
    uint channels;
    uint outHeight;
    uint outWidth;
    uint windowHeight;
    uint windowWidth;
    uint strideY;
    uint strideX;
    uint padTop;
    uint padLeft;
}
p;

void main() {
    const uint index = linearWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (index >= p.images * p.outHeight * p.outWidth * p.channels)
        return;
    const uint c = index % p.channels;
    const uint cell = index / p.channels;
    const uint ox = cell % p.outWidth;
    const uint oy = (cell / p.outWidth) % p.outHeight;
    const uint image = cell / (p.outWidth * p.outHeight);
    const uint imageBase = image * p.inHeight * p.inWidth * p.channels + c;
    uint cells = 0u;
    float result = 0.0;
    for (uint ky = 0u; ky < p.windowHeight; ++ky) {
        const int iy = int(oy * p.strideY + ky) - int(p.padTop);
        if (iy < 0 || iy >= int(p.inHeight))
            continue;
        for (uint kx = 0u; kx < p.windowWidth; ++kx) {
            const int ix = int(ox * p.strideX + kx) - int(p.padLeft);
            if (ix < 0 || ix >= int(p.inWidth))
                continue;
            const float value = x[imageBase + (uint(iy) * p.inWidth + uint(ix)) * p.channels];
#ifdef MAX
            result = cells == 0u ? value : max(result, value);
#else
            result += value;
#endif
            ++cells;
        }
    }
#ifdef MAX
    y[index] = cells == 0u ? uintBitsToFloat(0xff800000u) : result;
#else
    y[index] = cells == 0u ? 0.0 : result / float(cells);
#endif
}
