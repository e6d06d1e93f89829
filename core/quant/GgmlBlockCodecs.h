// SPDX-License-Identifier: MIT
#pragma once

#include "core/tensor/DType.h"

#include <cstdint>
#include <span>
#include <string_view>

// One encoder/decoder pair per ggml block type. A block holds dtypeInfo(dtype).blockElements
// values in dtypeInfo(dtype).blockBytes bytes, laid out exactly as ggml's block_<type> struct
// (little-endian fields, no padding). Encoders follow ggml's quantize_row_<type>_ref; decoders
// follow dequantize_row_<type> down to the order of float operations, so both are bit-exact.
namespace bitlens::ggml {

// The most values any codec's block holds (the K super-block).
inline constexpr uint32_t kMaxBlockElements = 256;

using BlockEncoder = void (*)(const float* values, uint8_t* block);
using BlockDecoder = void (*)(const uint8_t* block, float* values);

struct BlockCodec {
    std::string_view id;          // BitLens format id
    std::string_view description; // one line
    DType dtype;                  // the GGUF tensor type
    BlockEncoder encode;
    BlockDecoder decode;
};

// All codecs, in listing order.
std::span<const BlockCodec> blockCodecs();
// The codec of a GGUF tensor type; nullptr for plain types and block types without one.
const BlockCodec* blockCodecFor(DType type);

// 32-value blocks (GgmlSmallBlocks.cpp).
void encodeQ4_0(const float* values, uint8_t* block);
void decodeQ4_0(const uint8_t* block, float* values);
void encodeQ4_1(const float* values, uint8_t* block);
void decodeQ4_1(const uint8_t* block, float* values);
void encodeQ5_0(const float* values, uint8_t* block);
void decodeQ5_0(const uint8_t* block, float* values);
void encodeQ5_1(const float* values, uint8_t* block);
void decodeQ5_1(const uint8_t* block, float* values);
void encodeQ8_0(const float* values, uint8_t* block);
void decodeQ8_0(const uint8_t* block, float* values);
void encodeIq4Nl(const float* values, uint8_t* block);
void decodeIq4Nl(const uint8_t* block, float* values);
void encodeMxfp4(const float* values, uint8_t* block);
void decodeMxfp4(const uint8_t* block, float* values);

// 256-value super-blocks (GgmlKBlocks.cpp).
void encodeQ2_K(const float* values, uint8_t* block);
void decodeQ2_K(const uint8_t* block, float* values);
void encodeQ3_K(const float* values, uint8_t* block);
void decodeQ3_K(const uint8_t* block, float* values);
void encodeQ4_K(const float* values, uint8_t* block);
void decodeQ4_K(const uint8_t* block, float* values);
void encodeQ5_K(const float* values, uint8_t* block);
void decodeQ5_K(const uint8_t* block, float* values);
void encodeQ6_K(const float* values, uint8_t* block);
void decodeQ6_K(const uint8_t* block, float* values);

} // namespace bitlens::ggml
