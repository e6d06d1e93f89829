// SPDX-License-Identifier: MIT
// Reading a unit of consecutive values (a group, a row) eight at a time. The includer declares
// binding 0 as `float values[]`, includes input_windows.glsl (the same buffer as octets,
// float_octets.glsl) and declares a bool WHOLE_OCTETS (a specialization constant), true when every
// unit starts on an octet and is a multiple of 8 values long: llvmpipe runs both sides of a branch,
// so the per-value fallback costs every octet unless it is known to be unused.
#ifndef BITLENS_UNIT_OCTETS_GLSL
#define BITLENS_UNIT_OCTETS_GLSL

// Values first + 8 * octet .. + 7 of a unit of `length` values (zero past its end): one octet
// load where the unit starts on an octet and the octet lies inside it.
void loadOctet(uint first, uint octet, uint length, out float v[8]) {
    const uint start = 8u * octet;
    if (WHOLE_OCTETS || ((first & 7u) == 0u && start + 8u <= length)) {
        const u64vec4 words = inputOctet(first / 8u + octet);
        [[unroll]] for (uint w = 0u; w < 4u; ++w) {
            const vec2 pair = wordFloats(words[w]);
            v[2u * w] = pair.x;
            v[2u * w + 1u] = pair.y;
        }
    } else {
        [[unroll]] for (uint k = 0u; k < 8u; ++k) {
            v[k] = start + k < length ? values[first + start + k] : 0.0;
        }
    }
}

#endif
