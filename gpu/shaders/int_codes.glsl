// SPDX-License-Identifier: MIT
// The scalar steps of the integer formats (core/quant/IntegerFormat.h is the spec), shared by
// int_quant.comp and int_quant_lanes.comp: a unit's scale and zero point from its range, each
// value's code, its stored B-bit field and the value a decoder reads from it. The includer
// defines BITS (2..8); specialization constants 0 and 1 choose symmetric codes and fp32 scales.
#ifndef BITLENS_INT_CODES_GLSL
#define BITLENS_INT_CODES_GLSL

#include "common.glsl"
#include "reference_math.glsl"

#ifndef BITS
#error "define BITS (2..8)"
#endif

layout(constant_id = 0) const bool SYMMETRIC = true;
layout(constant_id = 1) const bool FP32_SCALE = false;
const uint UBITS = uint(BITS);
const float QMAX = SYMMETRIC ? float((1 << (BITS - 1)) - 1) : float((1 << BITS) - 1);

struct Scale {
    float scale;
    float zero;
};

// storedScale: fp16 scales round up to the next fp16 when RNE rounded down.
float storedScale(float raw) {
    if (FP32_SCALE)
        return stdMin(raw, 3.4028234663852886e38);
    const float clamped = stdMin(raw, 65504.0);
    uint bits = floatToHalfBits(clamped);
    if (halfBitsToFloat(bits) < clamped)
        ++bits;
    return halfBitsToFloat(bits);
}

Scale scaleForRange(float lo, float hi) {
    precise float span = SYMMETRIC ? stdMax(hi, -lo) : hi - lo; // argument order matters for -0
    Scale result = Scale(storedScale(exactDivide(span, QMAX)), 0.0);
    if (!SYMMETRIC && result.scale != 0.0)
        result.zero = stdClamp(roundHalfAwayFromZero(exactDivide(-lo, result.scale)), 0.0, QMAX);
    return result;
}

// roundHalfAwayFromZero(exactDivide(x, y)) where the caller clamps the result to at most 255
// in magnitude. The device's quotient (within 2.5 ulp of x / y) rounds the same way as the
// correctly rounded one unless it lies within a few ulp of a half-integer; only those need the
// exact division. From 512 on, both clamp to the same end. Where exactDivide is cheap (the
// double variants) it is used directly.
float roundedQuotient(float x, float y) {
    if (CHEAP_EXACT_DIVISION)
        return roundHalfAwayFromZero(exactDivide(x, y));
    const float q = x / y;
    const float magnitude = abs(q);
    if (magnitude >= 512.0 ||
        abs(magnitude - floor(magnitude) - 0.5) > magnitude * 1.9073486328125e-6) // 2^-19
        return roundHalfAwayFromZero(q);
    return roundHalfAwayFromZero(exactDivide(x, y));
}

// The code (zero point included) as a float holding an integer.
float codeOf(float value, Scale s) {
    if (s.scale == 0.0)
        return s.zero;
    const float lowest = SYMMETRIC ? -QMAX : -s.zero;
    const float highest = SYMMETRIC ? QMAX : QMAX - s.zero;
    return stdClamp(roundedQuotient(value, s.scale), lowest, highest) + s.zero;
}

// The stored B-bit field of a code (two's complement for negative symmetric codes).
uint fieldOf(float code) {
    return uint(int(code)) & ((1u << BITS) - 1u);
}

// The value a decoder reads from a field. Decoding the stored bits (rather than converting the
// float code) also keeps compilers from turning float(int(x)) into trunc(x), which keeps -0.
float valueOfField(uint field, Scale s) {
    const int code = SYMMETRIC ? (int(field << (32 - BITS)) >> (32 - BITS)) : int(field);
    precise float result = float(code - int(s.zero)) * s.scale;
    return result;
}

#endif
