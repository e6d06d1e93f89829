// SPDX-License-Identifier: MIT
// NVFP4 (core/quant/Nvfp4Format.h is the spec): one invocation per 16-value block writes its
// E4M3 block scale and eight bytes of E2M1 pairs (first value in the low nibble). The fp32
// global scale comes from the host, which measured the tensor's max |v| beforehand.
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#include "common.glsl"
#include "minifloat.glsl"

#define BLOCK_BYTES 9u

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Values {
    float values[];
};
layout(std430, binding = 1) writeonly buffer Packed {
    uint8_t packed[];
};
layout(std430, binding = 2) writeonly buffer Dequantized {
    float dequantized[];
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint rowLength;
    uint blockLength;
    uint blocks;      // blocks in this chunk
    uint globalScale; // float bits
}
parameters;

#include "packed_bytes.glsl"

void main() {
    const uint block = linearWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (block >= parameters.blocks)
        return;
    const float global = uintBitsToFloat(parameters.globalScale);
    const uint first = block * 16u;
    float amax = 0.0;
    for (uint j = 0u; j < 16u; ++j)
        amax = stdMax(amax, abs(values[first + j]));
    const uint scaleCode =
        global > 0.0 ? floatToMinifloat(exactDivide(exactDivide(amax, 6.0), global), E4M3) : 0u;
    precise float effective = minifloatToFloat(scaleCode, E4M3) * global;
    const uint at = block * BLOCK_BYTES;
    packed[at] = uint8_t(scaleCode);
    BitWriter writer = bitWriter(at + 1u);
    for (uint j = 0u; j < 16u; ++j) {
        const uint code = effective > 0.0
                              ? floatToMinifloat(exactDivide(values[first + j], effective), E2M1)
                              : 0u;
        put(writer, code, 4u);
        precise float value = minifloatToFloat(code, E2M1) * effective;
        dequantized[first + j] = value;
    }
    finish(writer);
}
