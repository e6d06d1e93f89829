// SPDX-License-Identifier: MIT
// ggml's 32-value blocks Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0 (core/quant/GgmlSmallBlocks.cpp is the
// spec, itself ggml's quantize_row_*_ref): one invocation encodes one block and decodes it again
// the way dequantize_row_* does. Variants ggml_q4_0 ... ggml_q8_0 (-DQ4_0 ... -DQ8_0).
// Reciprocals are 1/d as in ggml, multiplications and additions are not fused.
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#include "common.glsl"
#include "reference_math.glsl"

#if defined(Q4_0)
#define BITS 4
#define CENTERED 1
#define BLOCK_BYTES 18u
#elif defined(Q5_0)
#define BITS 5
#define CENTERED 1
#define BLOCK_BYTES 22u
#elif defined(Q4_1)
#define BITS 4
#define MIN_MAX 1
#define BLOCK_BYTES 20u
#elif defined(Q5_1)
#define BITS 5
#define MIN_MAX 1
#define BLOCK_BYTES 24u
#elif defined(Q8_0)
#define BLOCK_BYTES 34u
#else
#error "define one of Q4_0 Q4_1 Q5_0 Q5_1 Q8_0"
#endif

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
    uint blocks; // blocks in this chunk
}
parameters;

#include "packed_bytes.glsl"

// Stores an fp16 field and returns the value a decoder reads back from it.
float storeHalf(uint at, float value) {
    const uint bits = floatToHalfBits(value);
    storeU16(at, bits);
    return halfBitsToFloat(bits);
}

float reciprocalOrZero(float d) {
    return d != 0.0 ? exactDivide(1.0, d) : 0.0;
}

void main() {
    const uint block = linearWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (block >= parameters.blocks)
        return;
    const uint first = block * 32u;
    const uint at = block * BLOCK_BYTES;
    float x[32];
    for (uint j = 0u; j < 32u; ++j)
        x[j] = values[first + j];

#if defined(Q8_0)
    float amax = 0.0;
    for (uint j = 0u; j < 32u; ++j)
        amax = stdMax(amax, abs(x[j]));
    const float d = exactDivide(amax, 127.0);
    const float id = reciprocalOrZero(d);
    const float stored = storeHalf(at, d);
    for (uint j = 0u; j < 32u; ++j) {
        precise float scaled = x[j] * id;
        const uint byte = uint(int(roundHalfAwayFromZero(scaled))) & 0xffu;
        packed[at + 2u + j] = uint8_t(byte);
        // Decoded from the stored byte, as dequantize_row_q8_0 does (this also keeps compilers
        // from turning float(int(x)) into trunc(x), which would keep the sign of -0).
        precise float value = float(int(byte << 24) >> 24) * stored;
        dequantized[first + j] = value;
    }
#else
    const int top = (1 << BITS) - 1;
    int levels[32];
#if defined(CENTERED)
    const int middle = 1 << (BITS - 1);
    float amax = 0.0;
    float signedMax = 0.0;
    for (uint j = 0u; j < 32u; ++j) {
        if (abs(x[j]) > amax) {
            amax = abs(x[j]);
            signedMax = x[j];
        }
    }
    const float d = exactDivide(signedMax, float(-middle));
    const float id = reciprocalOrZero(d);
    const float stored = storeHalf(at, d);
    const float offset = float(middle) + 0.5;
    for (uint j = 0u; j < 32u; ++j) {
        precise float shifted = x[j] * id + offset;
        levels[j] = min(top, int(shifted));
    }
    const uint fifthAt = at + 2u;
#else
    float lowest = 3.4028234663852886e38;
    float highest = -3.4028234663852886e38;
    for (uint j = 0u; j < 32u; ++j) {
        if (x[j] < lowest)
            lowest = x[j];
        if (x[j] > highest)
            highest = x[j];
    }
    precise float range = highest - lowest;
    const float d = exactDivide(range, float(top));
    const float id = reciprocalOrZero(d);
    const float stored = storeHalf(at, d);
    const float storedMin = storeHalf(at + 2u, lowest);
    for (uint j = 0u; j < 32u; ++j) {
        precise float shifted = (x[j] - lowest) * id + 0.5;
        levels[j] = min(top, int(shifted));
    }
    const uint fifthAt = at + 4u;
#endif
#if BITS == 5
    uint fifth = 0u;
    for (uint j = 0u; j < 32u; ++j)
        fifth |= uint((levels[j] >> 4) & 1) << j;
    storeU32(fifthAt, fifth);
    const uint nibblesAt = fifthAt + 4u;
#else
    const uint nibblesAt = fifthAt;
#endif
    for (uint j = 0u; j < 16u; ++j)
        packed[nibblesAt + j] = uint8_t((levels[j] & 0xf) | ((levels[j + 16u] & 0xf) << 4));
    for (uint j = 0u; j < 32u; ++j) {
#if defined(CENTERED)
        precise float value = float(levels[j] - middle) * stored;
#else
        precise float value = float(levels[j]) * stored + storedMin;
#endif
        dequantized[first + j] = value;
    }
#endif
}
