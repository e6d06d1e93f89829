// SPDX-License-Identifier: MIT
// Float buffers seen as u64vec4 "octets": eight consecutive floats, each 64-bit word holding two
// (the lower-addressed one in its low half). llvmpipe moves every component of a buffer access
// lane by lane, so a u64vec4 access carries eight floats for the price of four components where
// a float buffer pays one component per value; GPUs see ordinary wide loads and stores.
#ifndef BITLENS_FLOAT_OCTETS_GLSL
#define BITLENS_FLOAT_OCTETS_GLSL

// The two floats of one word, lower address first.
vec2 wordFloats(uint64_t word) {
    return uintBitsToFloat(unpack32(word));
}

// The word holding `first` at the lower address and `second` after it.
uint64_t floatsWord(float first, float second) {
    return pack64(floatBitsToUint(vec2(first, second)));
}

#endif
