// SPDX-License-Identifier: MIT
#include "core/quant/PackedBytes.h"

#include <algorithm>

namespace bitlens {

void packBitFields(std::span<const uint8_t> codes, unsigned bits, std::span<std::byte> dst) {
    std::fill(dst.begin(), dst.end(), std::byte{0});
    const uint32_t mask = (1u << bits) - 1u;
    uint64_t bitPosition = 0;
    for (uint8_t code : codes) {
        // A field of at most 8 bits spans at most two bytes.
        const uint32_t shifted = (uint32_t(code) & mask) << (bitPosition % 8);
        const uint64_t byte = bitPosition / 8;
        dst[byte] |= std::byte(shifted & 0xffu);
        if (shifted > 0xffu)
            dst[byte + 1] |= std::byte(shifted >> 8);
        bitPosition += bits;
    }
}

void unpackBitFields(std::span<const std::byte> src, unsigned bits, std::span<uint8_t> codes) {
    const uint32_t mask = (1u << bits) - 1u;
    uint64_t bitPosition = 0;
    for (uint8_t& code : codes) {
        const uint64_t byte = bitPosition / 8;
        const unsigned shift = unsigned(bitPosition % 8);
        uint32_t window = uint32_t(src[byte]);
        if (shift + bits > 8)
            window |= uint32_t(src[byte + 1]) << 8;
        code = uint8_t((window >> shift) & mask);
        bitPosition += bits;
    }
}

} // namespace bitlens
