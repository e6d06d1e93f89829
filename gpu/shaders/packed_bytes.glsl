// SPDX-License-Identifier: MIT
// Writing packed layouts byte by byte (core/quant/PackedBytes.h): little-endian scalars at any
// offset and LSB-first bit-field strings. The including shader declares `uint8_t packed[]`.
#ifndef BITLENS_PACKED_BYTES_GLSL
#define BITLENS_PACKED_BYTES_GLSL

void storeU16(uint at, uint value) {
    packed[at] = uint8_t(value & 0xffu);
    packed[at + 1u] = uint8_t((value >> 8) & 0xffu);
}

void storeU32(uint at, uint value) {
    for (uint i = 0u; i < 4u; ++i)
        packed[at + i] = uint8_t((value >> (8u * i)) & 0xffu);
}

// A bit-field string being written from byte `next` on: put() appends the low `bits` bits of a
// field, finish() writes the last partial byte padded with zero bits.
struct BitWriter {
    uint next;
    uint pending;
    uint pendingBits;
};

BitWriter bitWriter(uint at) {
    return BitWriter(at, 0u, 0u);
}

void put(inout BitWriter writer, uint field, uint bits) {
    writer.pending |= (field & ((1u << bits) - 1u)) << writer.pendingBits;
    writer.pendingBits += bits;
    while (writer.pendingBits >= 8u) {
        packed[writer.next++] = uint8_t(writer.pending & 0xffu);
        writer.pending >>= 8;
        writer.pendingBits -= 8u;
    }
}

void finish(inout BitWriter writer) {
    if (writer.pendingBits > 0u)
        packed[writer.next++] = uint8_t(writer.pending & 0xffu);
    writer.pending = 0u;
    writer.pendingBits = 0u;
}

#endif
