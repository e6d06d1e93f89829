// SPDX-License-Identifier: MIT
#pragma once

#include "core/tensor/FloatBits.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <span>

// Scalar primitives shared by the ggml block codecs. They reproduce ggml's arithmetic bit for bit:
// block fields are little-endian, fp16 fields round to nearest even, and rounding to an integer
// level follows ggml's nearest_int (ties to even).
namespace bitlens::ggml {

inline uint16_t loadU16(const uint8_t* bytes) {
    return uint16_t(bytes[0] | (bytes[1] << 8));
}
inline uint32_t loadU32(const uint8_t* bytes) {
    return uint32_t(bytes[0]) | (uint32_t(bytes[1]) << 8) | (uint32_t(bytes[2]) << 16) |
           (uint32_t(bytes[3]) << 24);
}
inline void storeU32(uint8_t* bytes, uint32_t value) {
    for (int i = 0; i < 4; ++i)
        bytes[i] = uint8_t(value >> (8 * i));
}

// An fp16 block field as float.
inline float loadHalf(const uint8_t* bytes) {
    return halfToFloat(loadU16(bytes));
}
// Stores value as fp16 and returns the float the field now holds (what a decoder will read).
inline float storeHalf(uint8_t* bytes, float value) {
    const uint16_t bits = floatToHalf(value);
    bytes[0] = uint8_t(bits);
    bytes[1] = uint8_t(bits >> 8);
    return halfToFloat(bits);
}

// Round to nearest, ties to even, through the float adder: adding 1.5 * 2^23 leaves the rounded
// integer in the low mantissa bits. Exact for |value| < 2^22; larger values wrap (as in ggml) but
// never invoke undefined behaviour, and every caller clamps the result.
inline int nearestInt(float value) {
    const float shifted = value + 12582912.0f;
    return int(std::bit_cast<uint32_t>(shifted) & 0x007fffffu) - 0x00400000;
}

// The value of largest magnitude, sign kept; the first of equal magnitudes wins; 0 when all are 0.
inline float signedAbsMax(std::span<const float> values) {
    float amax = 0.0f;
    float max = 0.0f;
    for (float value : values) {
        if (std::fabs(value) > amax) {
            amax = std::fabs(value);
            max = value;
        }
    }
    return max;
}

// E8M0 exponent byte e as the float 2^(e - 128): half the OCP scale, because ggml's MXFP4 value
// table holds twice the E2M1 values. e < 2 gives the subnormals 2^-128 and 2^-127.
inline float e8m0HalfToFloat(uint8_t e) {
    return std::bit_cast<float>(e < 2 ? 0x00200000u << e : uint32_t(e - 1) << 23);
}

} // namespace bitlens::ggml
