// SPDX-License-Identifier: MIT
// Integer formats "int{B}-{gG|ch|tensor}-{sym|asym}[-fp32][-mse]" (core/quant/IntegerFormat.h is
// the spec this follows operation by operation): one invocation quantizes one scale unit (a group
// or a row) and writes its scale, bit fields and dequantized values. With TENSOR_SCALE the unit
// is a row that only holds codes: the host derived the tensor's scale and zero point from the
// measured tensor range and wrote them in the header.
// SEARCH_SUMS is the scan of "-tensor-...-mse": candidate k < 21 adds the squared errors of the
// chunk's values under candidate k, in value order, to its running sum in binding 3 (candidate
// scales, zero points, sums), which carries from chunk to chunk.
// Variants int_quant_b2 .. int_quant_b8 (-DBITS=B); specialization constants choose symmetric,
// the fp32 scale, the MSE clipping search, the tensor scale and the search scan.
// A unit's range and codes read its values as octets (float_octets.glsl) where the unit starts on
// one, its dequantized values are written as octets and its error sums come out of the kernel.
// With CACHE_LENGTH > 1 (groups of that many values, a multiple of 8) the unit is read once into
// registers and every pass over it (range, MSE candidates, codes) is unrolled over them.
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "float_octets.glsl"
#include "int_codes.glsl"
#include "reference_math.glsl"

layout(local_size_x = 64) in;
layout(constant_id = 2) const bool MSE_SEARCH = false;
layout(constant_id = 3) const bool TENSOR_SCALE = false;
layout(constant_id = 4) const bool SEARCH_SUMS = false;
layout(constant_id = 5) const uint CACHE_LENGTH = 1u;
// Every unit starts on an octet and is a multiple of 8 values long (unit_octets.glsl).
layout(constant_id = 6) const bool WHOLE_OCTETS = false;
const bool CACHED = CACHE_LENGTH > 1u;
float unitCache[CACHE_LENGTH];
#define CANDIDATES 21u

layout(std430, binding = 0) readonly buffer Values {
    float values[];
};
#include "input_windows.glsl"
layout(std430, binding = 1) writeonly buffer Packed {
    uint8_t packed[];
};
layout(std430, binding = 1) writeonly buffer PackedWords {
    uint packedWords[];
};
layout(std430, binding = 2) writeonly buffer Dequantized {
    float dequantized[];
};
layout(std430, binding = 2) writeonly buffer DequantizedOctets {
    u64vec4 dequantizedOctets[];
};
layout(std430, binding = 3) buffer Search {
    float search[]; // SEARCH_SUMS: scale[21], zero[21], sum[21]
};
layout(push_constant) uniform Parameters {
    uint rows;
    uint rowLength;
    uint unitLength;  // G, the row length for "ch", the piece length for TENSOR_SCALE
    uint unitBytes;   // scale bytes + bit-field bytes of one unit (TENSOR_SCALE: of one row)
    uint units;       // units in this chunk
    uint tensorScale; // float bits (TENSOR_SCALE)
    uint tensorZero;  // zero point (TENSOR_SCALE, asymmetric)
}
parameters;

#include "bit_stream.glsl"
#include "error_partials.glsl"
#include "unit_octets.glsl"

// llvmpipe (lavapipe) ends a shader invocation's loops after 65535 iterations in all, so the
// loops over a unit's values take an octet per iteration; a unit of up to about 22000 values then
// fits even with the MSE search, and the scan of a tensor goes in dispatches of at most 2^17
// values (IntegerKernel).

// The squared error of one value quantized and decoded with s.
float squareError(float value, Scale s) {
    precise float difference = valueOfField(fieldOf(codeOf(value, s)), s) - value;
    precise float square = difference * difference;
    return square;
}

// start + the squared errors of values[first .. first + length - 1], added in order.
float squaredError(uint first, uint length, Scale s, float start) {
    precise float sum = start;
    if (CACHED) {
        [[unroll]] for (uint k = 0u; k < CACHE_LENGTH; ++k) sum =
            sum + squareError(unitCache[k], s);
        return sum;
    }
    if (!SEARCH_SUMS) {
        for (uint octet = 0u; 8u * octet < length; ++octet) {
            float v[8];
            loadOctet(first, octet, length, v);
            [[unroll]] for (uint k = 0u; k < 8u; ++k) {
                if (WHOLE_OCTETS || 8u * octet + k < length)
                    sum = sum + squareError(v[k], s);
            }
        }
        return sum;
    }
    // The scan (first == 0): every candidate walks the same values at the same time, so the
    // octets come through the input windows where the kernel reads them (one window index for
    // the whole workgroup), and the last values of a length that is not a multiple of 8 one by
    // one.
    uint i = 0u;
    for (; i + 8u <= length; i += 8u) {
        const u64vec4 words = inputOctet((first + i) / 8u);
        [[unroll]] for (uint w = 0u; w < 4u; ++w) {
            const vec2 pair = wordFloats(words[w]);
            sum = sum + squareError(pair.x, s);
            sum = sum + squareError(pair.y, s);
        }
    }
    for (; i < length; ++i)
        sum = sum + squareError(values[first + i], s);
    return sum;
}

// Stores the dequantized values of loadOctet's octet (the same split).
void storeOctet(uint first, uint octet, uint length, float y[8]) {
    const uint start = 8u * octet;
    if (WHOLE_OCTETS || ((first & 7u) == 0u && start + 8u <= length)) {
        dequantizedOctets[first / 8u + octet] =
            u64vec4(floatsWord(y[0], y[1]), floatsWord(y[2], y[3]), floatsWord(y[4], y[5]),
                    floatsWord(y[6], y[7]));
    } else {
        [[unroll]] for (uint k = 0u; k < 8u; ++k) {
            if (start + k < length)
                dequantized[first + start + k] = y[k];
        }
    }
}

// lo = min(0, min v), hi = max(0, max v) over values[first .. first + length - 1]. The loops
// take an octet per iteration.
void unitRange(uint first, uint length, out float lo, out float hi) {
    lo = 0.0;
    hi = 0.0;
    if (CACHED) {
        [[unroll]] for (uint octet = 0u; octet < CACHE_LENGTH / 8u; ++octet) {
            const u64vec4 words = inputOctet(first / 8u + octet);
            [[unroll]] for (uint w = 0u; w < 4u; ++w) {
                const vec2 pair = wordFloats(words[w]);
                unitCache[8u * octet + 2u * w] = pair.x;
                unitCache[8u * octet + 2u * w + 1u] = pair.y;
            }
        }
        [[unroll]] for (uint k = 0u; k < CACHE_LENGTH; ++k) {
            lo = stdMin(lo, unitCache[k]);
            hi = stdMax(hi, unitCache[k]);
        }
        return;
    }
    for (uint octet = 0u; 8u * octet < length; ++octet) {
        float v[8];
        loadOctet(first, octet, length, v);
        [[unroll]] for (uint k = 0u; k < 8u; ++k) {
            if (WHOLE_OCTETS || 8u * octet + k < length) {
                lo = stdMin(lo, v[k]);
                hi = stdMax(hi, v[k]);
            }
        }
    }
}

// Appends the codes of an octet of values to the unit's bit-field string and writes their
// dequantized values; the error sums are folded per octet.
void writeOctet(uint first, uint octet, uint length, Scale s, float v[8], inout BitStream stream) {
    float y[8];
    [[unroll]] for (uint k = 0u; k < 8u; ++k) {
        y[k] = 0.0;
        if (WHOLE_OCTETS || 8u * octet + k < length) {
            const uint field = fieldOf(codeOf(v[k], s));
            y[k] = valueOfField(field, s);
            addError(v[k], y[k]);
            append(stream, field, UBITS);
        }
        if (k == 3u || k == 7u) // at most 4 * 8 bits since the last flush
            flushWord(stream);
    }
    foldErrors();
    storeOctet(first, octet, length, y);
}

// Writes the unit's bytes from `at` on: its stored scale (scaleBits of scaleField, none with
// TENSOR_SCALE), the zero point (withZero), code_0 .. code_{length-1}, as packBitFields.
void writeUnit(uint at, uint scaleField, uint scaleBits, uint first, uint length, Scale s,
               bool withZero) {
    BitStream stream = bitStream(at);
    append(stream, scaleField, scaleBits);
    flushWord(stream);
    if (withZero) {
        append(stream, uint(s.zero), UBITS);
        flushWord(stream);
    }
    if (CACHED) {
        [[unroll]] for (uint octet = 0u; octet < CACHE_LENGTH / 8u; ++octet) {
            float v[8];
            [[unroll]] for (uint k = 0u; k < 8u; ++k) v[k] = unitCache[8u * octet + k];
            writeOctet(first, octet, length, s, v, stream);
        }
    } else {
        for (uint octet = 0u; 8u * octet < length; ++octet) {
            float v[8];
            loadOctet(first, octet, length, v);
            writeOctet(first, octet, length, s, v, stream);
        }
    }
    finishStream(stream);
}

void main() {
    const uint unit = linearWorkgroup() * 64u + gl_LocalInvocationID.x;
    if (SEARCH_SUMS) {
        // Eight candidates per workgroup (one SIMD row on llvmpipe), so that the three
        // workgroups run on different threads.
        const uint k = gl_WorkGroupID.x * 8u + gl_LocalInvocationID.x;
        if (gl_LocalInvocationID.x < 8u && k < CANDIDATES) {
            const Scale candidate = Scale(search[k], search[CANDIDATES + k]);
            search[2u * CANDIDATES + k] = squaredError(0u, parameters.rows * parameters.rowLength,
                                                       candidate, search[2u * CANDIDATES + k]);
        }
        return;
    }
    if (unit >= parameters.units)
        return;
    uint length = parameters.unitLength;
    uint first = unit * length;
    uint at = unit * parameters.unitBytes;
    if (TENSOR_SCALE) {
        // A unit is a piece of unitLength values of a row (the last one may be shorter): a
        // multiple of eight values, so its codes start on a byte of the row's bit-field string.
        const uint piecesPerRow = (parameters.rowLength + length - 1u) / length;
        const uint row = unit / piecesPerRow;
        const uint piece = unit % piecesPerRow;
        first = row * parameters.rowLength + piece * length;
        at = row * parameters.unitBytes + piece * length / 8u * UBITS;
        length = min(length, parameters.rowLength - piece * length);
    }

    Scale s = Scale(uintBitsToFloat(parameters.tensorScale), float(parameters.tensorZero));
    float lo = 0.0;
    float hi = 0.0;
    if (!TENSOR_SCALE) {
        unitRange(first, length, lo, hi);
        s = scaleForRange(lo, hi);
    }
    if (MSE_SEARCH && !TENSOR_SCALE) {
        float bestError = squaredError(first, length, s, 0.0);
        for (int k = 1; k <= 20; ++k) {
            precise float factor = float(40 - k) * 0.025;
            precise float candidateLo = lo * factor;
            precise float candidateHi = hi * factor;
            const Scale candidate = scaleForRange(candidateLo, candidateHi);
            const float error = squaredError(first, length, candidate, 0.0);
            if (error < bestError) {
                s = candidate;
                bestError = error;
            }
        }
    }

    // With TENSOR_SCALE the scale and zero point are in the tensor header.
    const uint scaleBits = TENSOR_SCALE ? 0u : FP32_SCALE ? 32u : 16u;
    const uint scaleField = FP32_SCALE ? floatBitsToUint(s.scale) : floatToHalfBits(s.scale);
    writeUnit(at, TENSOR_SCALE ? 0u : scaleField, scaleBits, first, length, s,
              !SYMMETRIC && !TENSOR_SCALE);
    storeErrorPartials();
}
