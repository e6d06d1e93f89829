// SPDX-License-Identifier: MIT
// Shared helpers of the BitLens compute shaders.
#ifndef BITLENS_COMMON_GLSL
#define BITLENS_COMMON_GLSL

// Linear workgroup index of a dispatch split over x and y by ComputeKernel::record.
uint linearWorkgroup() {
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

// IEEE binary16 bits -> float, exactly as halfToFloat in core/tensor/FloatBits.cpp.
float halfBitsToFloat(uint bits) {
    const uint sign = (bits & 0x8000u) << 16;
    const uint exponent = (bits >> 10) & 0x1fu;
    const uint mantissa = bits & 0x3ffu;
    if (exponent == 0u) // zero or subnormal: mantissa * 2^-24, exact
        return uintBitsToFloat(sign | floatBitsToUint(float(mantissa) * 5.9604644775390625e-8));
    if (exponent == 0x1fu)
        return uintBitsToFloat(sign | 0x7f800000u | (mantissa << 13));
    return uintBitsToFloat(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

// float -> IEEE binary16 bits, round to nearest even, exactly as floatToHalf.
uint floatToHalfBits(float value) {
    const uint bits = floatBitsToUint(value);
    const uint sign = (bits >> 16) & 0x8000u;
    const uint magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u)
        return sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu);
    if (magnitude >= 0x477ff000u)
        return sign | 0x7c00u;
    if (magnitude < 0x38800000u) {
        precise float scaled = uintBitsToFloat(magnitude) * 16777216.0; // exact
        return sign | uint(roundEven(scaled));
    }
    const uint rebased = magnitude - (112u << 23);
    const uint rounded = rebased + 0xfffu + ((rebased >> 13) & 1u);
    return sign | (rounded >> 13);
}

// bfloat16 bits -> float.
float bf16BitsToFloat(uint bits) {
    return uintBitsToFloat(bits << 16);
}

#ifdef DOUBLE_DIVISION
// The quantizers' divisions through the device's doubles: variants "<name>_f64" (and
// "<name>_f64_held"), used where the device has shaderFloat64 and the RoundingModeRTE execution
// mode for 32-bit floats (shaderRoundingModeRTEFloat32), which this declares: without it
// OpFConvert may round a double to float either way. They also declare SignedZeroInfNanPreserve
// for 32- and 64-bit floats (shaderSignedZeroInfNanPreserveFloat32/64), so that a compiler may
// not treat -0 as +0 (an NVIDIA H200, running kernels without it, stored a -0 where the CPU
// reference stores +0).
#extension GL_EXT_spirv_intrinsics : require
spirv_execution_mode(extensions = ["SPV_KHR_float_controls"], capabilities = [4467], 4462, 32);
spirv_execution_mode(extensions = ["SPV_KHR_float_controls"], capabilities = [4466], 4461, 32);
spirv_execution_mode(extensions = ["SPV_KHR_float_controls"], capabilities = [4466], 4461, 64);
const bool CHEAP_EXACT_DIVISION = true;

#ifdef HELD_SUBNORMALS
// 2^exponent as a double, from its bits (glslang may not parse a double literal exactly).
double doublePowerOfTwo(int exponent) {
    return packDouble2x32(uvec2(0u, uint(1023 + exponent) << 20));
}

// float -> double from the float's bits where it is zero or subnormal: a device that flushes
// float subnormals (an NVIDIA H200 does) may flush them in the conversion too.
double floatToDouble(float x) {
    const uint bits = floatBitsToUint(x);
    if ((bits & 0x7f800000u) != 0u)
        return double(x); // normal, infinite or NaN
    const double magnitude = double(bits & 0x7fffffu) * doublePowerOfTwo(-149); // exact
    return (bits & 0x80000000u) != 0u ? -magnitude : magnitude;
}

// A magnitude below 2^-126 as a count of 2^-149 steps, rounded to nearest even (the float
// subnormal it rounds to). Written out: llvmpipe's roundEven of the double 1.5 gives 1.
uint subnormalSteps(double magnitude) {
    const double scaled = magnitude * doublePowerOfTwo(149); // below 2^23, exact
    uint steps = uint(scaled);
    const double fraction = scaled - double(steps);
    if (fraction > 0.5LF || (fraction == 0.5LF && (steps & 1u) != 0u))
        ++steps;
    return steps; // 2^23 steps is the smallest normal float
}

// double -> float rounded to nearest even. Results below the smallest normal float are built
// from bits, where a conversion on a device that flushes float subnormals would give zero.
float doubleToFloat(double value) {
    const double magnitude = abs(value);
    if (!(magnitude < doublePowerOfTwo(-126))) // NaN takes the conversion too
        return float(value);
    const uint sign = unpackDouble2x32(value).y & 0x80000000u;
    return uintBitsToFloat(sign | subnormalSteps(magnitude));
}
#endif

// x / y correctly rounded (IEEE division, as the CPU reference computes it): the device's double
// quotient rounded to float, to nearest even. The true quotient of two floats is either a float
// midpoint (only among the subnormals, and then exactly representable in double) or more than
// 2^-50 of its magnitude away from every midpoint, so rounding a correctly rounded double
// quotient (or one within 8 double ulp that is exact when representable) gives the correctly
// rounded float. With HELD_SUBNORMALS subnormal operands and quotients go through bits, so that
// this holds on devices that flush float subnormals too.
#ifdef HELD_SUBNORMALS
float exactDivide(float x, float y) {
    return doubleToFloat(floatToDouble(x) / floatToDouble(y));
}
#else
float exactDivide(float x, float y) {
    return float(double(x) / double(y));
}
#endif

#else
// Devices without doubles: exact quotients from float arithmetic alone.
const bool CHEAP_EXACT_DIVISION = false;

// a * b == hi + lo exactly (Dekker's product with Veltkamp's split), from correctly rounded
// multiplications and additions only: GLSL's fma need not be fused. |a|, |b| < 2^100.
void exactProduct(float a, float b, out float hi, out float lo) {
    precise float product = a * b;
    precise float ca = 4097.0 * a;
    precise float aHigh = ca - (ca - a);
    precise float aLow = a - aHigh;
    precise float cb = 4097.0 * b;
    precise float bHigh = cb - (cb - b);
    precise float bLow = b - bHigh;
    precise float error = ((aHigh * bHigh - product) + aHigh * bLow + aLow * bHigh) + aLow * bLow;
    hi = product;
    lo = error;
}

// x - q * y for q near x / y (then x - hi is exact by Sterbenz's lemma).
float divisionRemainder(float x, float q, float y) {
    float hi;
    float lo;
    exactProduct(q, y, hi, lo);
    precise float remainder = (x - hi) - lo;
    return remainder;
}

// One step of exactDivide: q moves to its neighbour toward the true quotient while that leaves a
// smaller remainder; `settled` once it does not.
void divisionStep(float x, float y, inout float q, inout float remainder, inout bool settled) {
    if (settled || remainder == 0.0) {
        settled = true;
        return;
    }
    const bool upward = (remainder > 0.0) == (y > 0.0); // the true quotient is above q
    const uint bits = floatBitsToUint(q);
    const float neighbour = uintBitsToFloat((q > 0.0) == upward ? bits + 1u : bits - 1u);
    const float neighbourRemainder = divisionRemainder(x, neighbour, y);
    if (!(abs(neighbourRemainder) < abs(remainder))) {
        settled = true;
        return;
    }
    q = neighbour;
    remainder = neighbourRemainder;
}

// x / y correctly rounded (IEEE division, as the CPU reference computes it) even where the
// device's OpFDiv is approximate (Vulkan allows 2.5 ulp): the quotient moves to a neighbouring
// float while that leaves a smaller remainder, i.e. lies nearer the true quotient. Three steps,
// written out without a loop: llvmpipe counts every loop iteration of an invocation against a
// budget of 65535, even of a loop in a branch no lane takes. Operands or quotients beyond
// [1e-30, 1e30] in magnitude, where the remainder would underflow or overflow, keep the device's
// quotient (IEEE on lavapipe).
float exactDivide(float x, float y) {
    float q = x / y;
    if (q == 0.0 || isinf(q) || isnan(q) || abs(q) > 1e30 || abs(y) > 1e30 || abs(x) > 1e30 ||
        abs(q) < 1e-30 || abs(y) < 1e-30 || abs(x) < 1e-30)
        return q;
    float remainder = divisionRemainder(x, q, y);
    // The usual case, settled by this one remainder: the true quotient q + remainder / y lies
    // within a little less than half the gap to q's neighbours (the gap below a power of two is
    // half the one above), so q is the nearest float. Underflow only makes the bound smaller.
    const uint magnitude = floatBitsToUint(abs(q));
    const float gap = uintBitsToFloat(magnitude & 0x7f800000u) * 1.1920928955078125e-7; // 2^-23
    const float share = (magnitude & 0x7fffffu) == 0u ? 0.24 : 0.49;
    precise float bound = abs(y) * gap * share;
    if (abs(remainder) < bound)
        return q;
    bool settled = false;
    divisionStep(x, y, q, remainder, settled);
    divisionStep(x, y, q, remainder, settled);
    divisionStep(x, y, q, remainder, settled);
    return q;
}

#endif

#ifdef HELD_SUBNORMALS
#ifndef DOUBLE_DIVISION
#error "HELD_SUBNORMALS needs DOUBLE_DIVISION"
#endif

// `value` rounded to the nearest float (even on ties), subnormals included, kept as a double:
// a float value that a device flushing float subnormals could not hold.
double roundToFloatGrid(double value) {
    const double magnitude = abs(value);
    if (!(magnitude < doublePowerOfTwo(-126)))
        return double(float(value));
    const double rounded = double(subnormalSteps(magnitude)) * doublePowerOfTwo(-149);
    return value < 0.0LF ? -rounded : rounded;
}

// HeldFloat: a float value of the CPU reference's arithmetic, held so that it keeps its
// subnormal values on a device that flushes float32 subnormals, where the scale searches meet
// them (products of weighted sums, for values near 1e-6 already). With HELD_SUBNORMALS (the
// "_f64_held" variants, which also have DOUBLE_DIVISION) a double holding the float exactly:
// heldProduct(a, b) is the float a * b (IEEE, gradual underflow included), heldSum and
// heldDifference the float a + b and a - b; each is rounded once, as a double holds a product of
// two floats exactly and rounding a double sum again to float gives the correctly rounded float
// sum. heldQuotient(x, y) is the float x / y, to use as a float.
#define HeldFloat double
// A float's value held (zero and subnormals from their bits), and a held value as a float.
HeldFloat held(float value) {
    return floatToDouble(value);
}
float heldToFloat(HeldFloat value) {
    return doubleToFloat(value);
}
HeldFloat heldProduct(double a, double b) {
    return roundToFloatGrid(a * b);
}
HeldFloat heldSum(double a, double b) {
    return roundToFloatGrid(a + b);
}
HeldFloat heldDifference(double a, double b) {
    return roundToFloatGrid(a - b);
}
float heldQuotient(double x, double y) {
    return doubleToFloat(x / y);
}

#else
// Without HELD_SUBNORMALS, HeldFloat and its operations are the float ones.
#define HeldFloat float
HeldFloat held(float value) {
    return value;
}
float heldToFloat(HeldFloat value) {
    return value;
}
HeldFloat heldProduct(float a, float b) {
    precise float product = a * b;
    return product;
}
HeldFloat heldSum(float a, float b) {
    precise float sum = a + b;
    return sum;
}
HeldFloat heldDifference(float a, float b) {
    precise float difference = a - b;
    return difference;
}
float heldQuotient(float x, float y) {
    return exactDivide(x, y);
}

#endif

#endif
