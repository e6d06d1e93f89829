// SPDX-License-Identifier: MIT
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

// Byte-level pieces of the packed layouts: little-endian scalars at any (unaligned) offset and
// contiguous bit fields. No layout in BitLens pads for alignment.
namespace bitlens {

inline void storeU16(std::byte* at, uint16_t value) {
    at[0] = std::byte(value & 0xffu);
    at[1] = std::byte(value >> 8);
}
inline uint16_t loadU16(const std::byte* at) {
    return uint16_t(uint16_t(at[0]) | (uint16_t(at[1]) << 8));
}
inline void storeF32(std::byte* at, float value) {
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    for (int i = 0; i < 4; ++i)
        at[i] = std::byte((bits >> (8 * i)) & 0xffu);
}
inline float loadF32(const std::byte* at) {
    uint32_t bits = 0;
    for (int i = 0; i < 4; ++i)
        bits |= uint32_t(at[i]) << (8 * i);
    return std::bit_cast<float>(bits);
}

// Bytes taken by `count` fields of `bits` bits, the last byte padded with zero bits.
inline uint64_t bitFieldBytes(uint64_t count, unsigned bits) {
    return (count * bits + 7) / 8;
}

// Bit fields little-endian, LSB first: field i occupies bits [i*bits, (i+1)*bits) of the byte
// string, where bit k of the string is bit (k % 8) of byte k / 8. So 4-bit fields put field 0 in
// the low nibble; 6-bit fields put 4 fields in 3 bytes (byte0 = f0 | f1 << 6, byte1 = f1 >> 2 |
// f2 << 4, byte2 = f2 >> 4 | f3 << 2). bits is 1..8; only the low `bits` bits of a code count.
// dst.size() must be bitFieldBytes(codes.size(), bits); padding bits are written as 0.
void packBitFields(std::span<const uint8_t> codes, unsigned bits, std::span<std::byte> dst);
// Inverse of packBitFields: reads codes.size() fields from src.
void unpackBitFields(std::span<const std::byte> src, unsigned bits, std::span<uint8_t> codes);

} // namespace bitlens
