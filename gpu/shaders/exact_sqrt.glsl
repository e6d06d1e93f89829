// SPDX-License-Identifier: MIT
// sqrt correctly rounded, as std::sqrt computes it. Needs
// GL_EXT_shader_explicit_arithmetic_types_int64 and GL_EXT_control_flow_attributes.
#ifndef BITLENS_EXACT_SQRT_GLSL
#define BITLENS_EXACT_SQRT_GLSL

// sqrt(x) rounded to nearest for x >= +0 (and -0, +inf, NaN, which it returns), from x's bits
// with integer arithmetic alone: Vulkan lets sqrt() be approximate (NVIDIA's is), and a device
// may flush a subnormal x to zero. A float's square root never lies halfway between two floats,
// so only the remainder's sign decides the rounding.
float exactSqrt(float x) {
    const uint bits = floatBitsToUint(x);
    if ((bits & 0x7fffffffu) == 0u || bits >= 0x7f800000u)
        return x;
    // x = mantissa * 2^(exponent - 150) with mantissa in [2^23, 2^24)
    int exponent = int(bits >> 23);
    uint mantissa = bits & 0x7fffffu;
    if (exponent == 0) { // subnormal
        const int shift = 23 - findMSB(mantissa);
        mantissa <<= uint(shift);
        exponent = 1 - shift;
    } else {
        mantissa |= 0x800000u;
    }
    // radicand = mantissa * 2^25 or 2^26 in [2^48, 2^50), its power of two `scale` even: its
    // integer root has 25 bits, one more than a float's significand.
    const int unscaled = exponent - 150;
    const int shift = (unscaled & 1) == 0 ? 26 : 25;
    const int scale = unscaled - shift;
    uint64_t remainder = uint64_t(mantissa) << uint(shift);
    uint64_t root = 0ul;
    uint64_t place = 1ul << 48;
    [[unroll]] for (uint step = 0u; step < 25u; ++step) {
        if (remainder >= root + place) {
            remainder -= root + place;
            root = (root >> 1) + place;
        } else {
            root >>= 1;
        }
        place >>= 2;
    }
    // root in [2^24, 2^25): drop its last bit, rounding up when it is set (never a tie)
    uint significand = uint(root >> 1) + uint(root & 1ul);
    int rootExponent = scale / 2 + 1; // sqrt(x) ~ significand * 2^rootExponent
    if (significand == 0x1000000u) {
        significand >>= 1;
        ++rootExponent;
    }
    return uintBitsToFloat(uint(rootExponent + 150) << 23 | (significand & 0x7fffffu));
}

#endif
