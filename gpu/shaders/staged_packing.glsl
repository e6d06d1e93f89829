// SPDX-License-Identifier: MIT
// The packed bytes of a workgroup whose units lie one after another, bytes [start, end) of
// binding 1, assembled in shared memory and stored as whole words, so that a GPU writes them in
// few wide transactions whatever bit offsets the units' fields have. The includer defines
// STAGED_WORDS (at least (end - start) / 4 + 2) and declares no other buffer on binding 1.
// Call order, by every invocation of the workgroup (none may have returned):
// beginStaging(start, end); stageBits any number of times; finishStaging().
#ifndef BITLENS_STAGED_PACKING_GLSL
#define BITLENS_STAGED_PACKING_GLSL

layout(std430, binding = 1) writeonly buffer StagedBytes {
    uint8_t stagedBytes[];
};
layout(std430, binding = 1) writeonly buffer StagedWordsOut {
    uint stagedWordsOut[];
};

shared uint stagedWords[STAGED_WORDS]; // word k: bytes 4 * (start / 4 + k) .. + 3 of binding 1
uint stagedStart;
uint stagedEnd;

void beginStaging(uint start, uint end) {
    stagedStart = start;
    stagedEnd = end;
    const uint words = (end + 3u) / 4u - start / 4u;
    for (uint k = gl_LocalInvocationIndex; k < words; k += gl_WorkGroupSize.x)
        stagedWords[k] = 0u;
    barrier();
}

// ORs `bits` into the string at bit `position` after byte `start` (LSB first, as
// core/quant/PackedBytes.h packBitFields): the fields of different calls must not overlap.
void stageBits(uint position, uint bits) {
    const uint at = 8u * (stagedStart % 4u) + position;
    const uint shift = at % 32u;
    atomicOr(stagedWords[at / 32u], bits << shift);
    if (shift != 0u && (bits >> (32u - shift)) != 0u)
        atomicOr(stagedWords[at / 32u + 1u], bits >> (32u - shift));
}

// Stores the staged words: whole where all four bytes lie in [start, end), the others byte by
// byte, so that the neighbouring workgroups' bytes stay theirs.
void finishStaging() {
    barrier();
    const uint firstWord = stagedStart / 4u;
    const uint words = (stagedEnd + 3u) / 4u - firstWord;
    for (uint k = gl_LocalInvocationIndex; k < words; k += gl_WorkGroupSize.x) {
        const uint byte = 4u * (firstWord + k);
        const uint word = stagedWords[k];
        if (byte >= stagedStart && byte + 4u <= stagedEnd) {
            stagedWordsOut[firstWord + k] = word;
        } else {
            for (uint b = 0u; b < 4u; ++b) {
                if (byte + b >= stagedStart && byte + b < stagedEnd)
                    stagedBytes[byte + b] = uint8_t((word >> (8u * b)) & 0xffu);
            }
        }
    }
}

#endif
