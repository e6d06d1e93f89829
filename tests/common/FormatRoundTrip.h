// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/Format.h"

#include <cstdint>
#include <vector>

namespace bitlens::test {

// Packs values with the format into a fresh buffer of exactly packedBytes(shape) bytes.
inline std::vector<std::byte> quantize(const Format& format, const std::vector<float>& values,
                                       MatrixShape shape) {
    std::vector<std::byte> packed(format.packedBytes(shape));
    format.quantize(values, shape, packed);
    return packed;
}

inline std::vector<float> dequantize(const Format& format, const std::vector<std::byte>& packed,
                                     MatrixShape shape) {
    std::vector<float> values(shape.elements());
    format.dequantize(packed, shape, values);
    return values;
}

// The packed bytes as numbers, so QCOMPARE prints them readably.
inline std::vector<uint8_t> bytesOf(const std::vector<std::byte>& packed) {
    std::vector<uint8_t> bytes;
    for (std::byte b : packed)
        bytes.push_back(uint8_t(b));
    return bytes;
}

} // namespace bitlens::test
