// SPDX-License-Identifier: MIT
// Writing a little-endian scalar at any byte offset of a packed layout (core/quant/PackedBytes.h).
// The including shader declares `uint8_t packed[]`; bit-field strings go through bit_stream.glsl.
#ifndef BITLENS_PACKED_BYTES_GLSL
#define BITLENS_PACKED_BYTES_GLSL

void storeU32(uint at, uint value) {
    for (uint i = 0u; i < 4u; ++i)
        packed[at + i] = uint8_t((value >> (8u * i)) & 0xffu);
}

#endif
