// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/Format.h"
#include "core/tensor/DType.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bitlens {

namespace ggml {
struct BlockCodec;
}

// A llama.cpp block format (Q4_0 ... Q6_K, IQ4_NL, MXFP4), bit-compatible with ggml.
// Packed layout: each row is rowLength / blockLength blocks in value order and rows follow one
// another, exactly as llama.cpp stores a tensor, so the bytes can go straight into a GGUF file
// (and GGUF tensor data of these types can be dequantized as is).
class GgmlFormat final : public Format {
public:
    explicit GgmlFormat(const ggml::BlockCodec& codec);

    std::string id() const override;
    std::string description() const override;
    FormatFamily family() const override { return FormatFamily::GgmlBlock; }
    uint64_t blockLength(uint64_t rowLength) const override;
    std::string unsupportedReason(uint64_t rowLength) const override;
    // Throws Error for a row length the format cannot take or a size beyond 2^64 bytes.
    uint64_t packedBytes(MatrixShape shape) const override;
    // Throws Error for values that are not finite or beyond 2^36 in magnitude (ggml's fits
    // overflow there) and for blocks too large for the format's fp16 scales (which ggml would
    // write as blocks that decode to infinity).
    void quantize(std::span<const float> src, MatrixShape shape,
                  std::span<std::byte> dst) const override;
    void dequantize(std::span<const std::byte> src, MatrixShape shape,
                    std::span<float> dst) const override;

    DType dtype() const;

private:
    void checkShape(MatrixShape shape, uint64_t floats, uint64_t bytes) const;

    const ggml::BlockCodec& codec_;
};

// FormatFactory of the ggml family: "q4_0" ... "q6_k", "iq4_nl", "ggml-mxfp4"; nullptr otherwise.
std::shared_ptr<const Format> makeGgmlFormat(std::string_view id);
std::vector<std::string> listedGgmlFormatIds();

// The format that reads and writes GGUF tensors of this type; nullptr for types without one
// (plain floats, Q8_1, Q8_K, the IQ grids, TQ).
std::shared_ptr<const Format> formatForGgmlType(DType type);

} // namespace bitlens
