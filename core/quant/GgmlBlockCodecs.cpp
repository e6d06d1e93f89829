// SPDX-License-Identifier: MIT
#include "core/quant/GgmlBlockCodecs.h"

namespace bitlens::ggml {

std::span<const BlockCodec> blockCodecs() {
    static constexpr BlockCodec kCodecs[] = {
        {"q4_0", "ggml Q4_0: 32 values, fp16 scale, 4-bit levels", DType::Q4_0, encodeQ4_0,
         decodeQ4_0},
        {"q4_1", "ggml Q4_1: 32 values, fp16 scale and min, 4-bit levels", DType::Q4_1, encodeQ4_1,
         decodeQ4_1},
        {"q5_0", "ggml Q5_0: 32 values, fp16 scale, 5-bit levels", DType::Q5_0, encodeQ5_0,
         decodeQ5_0},
        {"q5_1", "ggml Q5_1: 32 values, fp16 scale and min, 5-bit levels", DType::Q5_1, encodeQ5_1,
         decodeQ5_1},
        {"q8_0", "ggml Q8_0: 32 values, fp16 scale, 8-bit levels", DType::Q8_0, encodeQ8_0,
         decodeQ8_0},
        {"q2_k", "ggml Q2_K: 256-value super-block, 4-bit scales and mins", DType::Q2_K, encodeQ2_K,
         decodeQ2_K},
        {"q3_k", "ggml Q3_K: 256-value super-block, 6-bit scales", DType::Q3_K, encodeQ3_K,
         decodeQ3_K},
        {"q4_k", "ggml Q4_K: 256-value super-block, 6-bit scales and mins", DType::Q4_K, encodeQ4_K,
         decodeQ4_K},
        {"q5_k", "ggml Q5_K: 256-value super-block, 6-bit scales and mins", DType::Q5_K, encodeQ5_K,
         decodeQ5_K},
        {"q6_k", "ggml Q6_K: 256-value super-block, 8-bit scales", DType::Q6_K, encodeQ6_K,
         decodeQ6_K},
        {"iq4_nl", "ggml IQ4_NL: 32 values, fp16 scale, 4-bit non-linear levels", DType::IQ4_NL,
         encodeIq4Nl, decodeIq4Nl},
        {"ggml-mxfp4", "ggml MXFP4: 32 E2M1 values, E8M0 scale, ggml layout", DType::MXFP4,
         encodeMxfp4, decodeMxfp4},
    };
    return kCodecs;
}

const BlockCodec* blockCodecFor(DType type) {
    for (const BlockCodec& codec : blockCodecs())
        if (codec.dtype == type)
            return &codec;
    return nullptr;
}

} // namespace bitlens::ggml
