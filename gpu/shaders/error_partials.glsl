// SPDX-License-Identifier: MIT
// ErrorAccumulator's terms summed inside a format kernel, over the values each invocation
// dequantizes, instead of in a separate error_sums pass that reads the original and dequantized
// values again. The includer (64 invocations per workgroup, float_octets.glsl and the int64
// extension included) calls addError for every value it dequantizes, foldErrors at least every
// 256 values when an invocation sums more, and storeErrorPartials once at the end of main.
// Binding 4 receives slot linearWorkgroup() * 64 + local index: sum e^2, sum x^2, sum y^2,
// sum x*y, max |e| (e = y - x), then three zero floats; the host zero-fills the slots first (an
// invocation that returns early writes none) and adds them in double.
#ifndef BITLENS_ERROR_PARTIALS_GLSL
#define BITLENS_ERROR_PARTIALS_GLSL

layout(std430, binding = 4) writeonly buffer ErrorPartials {
    u64vec4 errorPartials[];
};

vec4 errorRun = vec4(0.0); // e^2, x^2, y^2, x*y since the last fold
vec4 errorSums = vec4(0.0);
vec4 errorCompensation = vec4(0.0);
float errorMax = 0.0;

void addError(float x, float y) {
    const float e = y - x;
    errorRun += vec4(e * e, x * x, y * y, x * y);
    errorMax = max(errorMax, abs(e));
}

// Adds the running terms to the sums with Kahan's compensation, so that long units (a row of a
// per-channel format) sum as accurately as short ones.
void foldErrors() {
    precise vec4 term = errorRun - errorCompensation;
    precise vec4 total = errorSums + term;
    precise vec4 lost = (total - errorSums) - term;
    errorCompensation = lost;
    errorSums = total;
    errorRun = vec4(0.0);
}

// Writes sums and largest error to slot `slot`.
void storeErrorSlot(uint slot, vec4 sums, float largest) {
    errorPartials[slot] = u64vec4(floatsWord(sums.x, sums.y), floatsWord(sums.z, sums.w),
                                  floatsWord(largest, 0.0), floatsWord(0.0, 0.0));
}

void storeErrorPartials() {
    foldErrors();
    storeErrorSlot(linearWorkgroup() * 64u + gl_LocalInvocationID.x, errorSums, errorMax);
}

#endif
