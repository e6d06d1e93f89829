// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bitlens {

// Storage type of a tensor as found in a checkpoint. Plain element types have blockElements 1;
// ggml block types store blockElements values in blockBytes bytes.
enum class DType : uint8_t {
    F64,
    F32,
    F16,
    BF16,
    F8_E4M3,
    F8_E5M2,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    Bool,
    // ggml block types (GGUF). Their numeric ids are ggmlTypeId().
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
    Q8_1,
    Q2_K,
    Q3_K,
    Q4_K,
    Q5_K,
    Q6_K,
    Q8_K,
    IQ2_XXS,
    IQ2_XS,
    IQ3_XXS,
    IQ1_S,
    IQ4_NL,
    IQ3_S,
    IQ2_S,
    IQ4_XS,
    IQ1_M,
    TQ1_0,
    TQ2_0,
    MXFP4,
};

struct DTypeInfo {
    std::string_view name;  // safetensors spelling for plain types, ggml spelling for blocks
    uint32_t blockElements; // values per block (1 for plain types)
    uint32_t blockBytes;    // bytes per block
    bool isFloat;           // plain floating-point element type
    bool isGgmlBlock;       // quantized ggml block type
};

const DTypeInfo& dtypeInfo(DType type);
inline std::string_view dtypeName(DType type) {
    return dtypeInfo(type).name;
}

// safetensors dtype string ("F32", "BF16", "F8_E4M3", "BOOL" ...), nullopt when unknown.
std::optional<DType> dtypeFromSafetensorsName(std::string_view name);
// ggml_type numeric id as stored in GGUF, nullopt when unknown or removed.
std::optional<DType> dtypeFromGgmlTypeId(uint32_t id);
std::optional<uint32_t> ggmlTypeId(DType type);

} // namespace bitlens
