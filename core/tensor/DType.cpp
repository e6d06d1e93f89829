// SPDX-License-Identifier: MIT
#include "core/tensor/DType.h"

#include <array>
#include <utility>

namespace bitlens {
namespace {

struct Entry {
    DType type;
    DTypeInfo info;
    int ggmlId; // -1: not a ggml type
};

// ggml type ids and block sizes from ggml.h / ggml-common.h.
constexpr Entry kEntries[] = {
    {DType::F64, {"F64", 1, 8, true, false}, 28},
    {DType::F32, {"F32", 1, 4, true, false}, 0},
    {DType::F16, {"F16", 1, 2, true, false}, 1},
    {DType::BF16, {"BF16", 1, 2, true, false}, 30},
    {DType::F8_E4M3, {"F8_E4M3", 1, 1, true, false}, -1},
    {DType::F8_E5M2, {"F8_E5M2", 1, 1, true, false}, -1},
    {DType::I8, {"I8", 1, 1, false, false}, 24},
    {DType::U8, {"U8", 1, 1, false, false}, -1},
    {DType::I16, {"I16", 1, 2, false, false}, 25},
    {DType::U16, {"U16", 1, 2, false, false}, -1},
    {DType::I32, {"I32", 1, 4, false, false}, 26},
    {DType::U32, {"U32", 1, 4, false, false}, -1},
    {DType::I64, {"I64", 1, 8, false, false}, 27},
    {DType::U64, {"U64", 1, 8, false, false}, -1},
    {DType::Bool, {"BOOL", 1, 1, false, false}, -1},
    {DType::Q4_0, {"Q4_0", 32, 18, false, true}, 2},
    {DType::Q4_1, {"Q4_1", 32, 20, false, true}, 3},
    {DType::Q5_0, {"Q5_0", 32, 22, false, true}, 6},
    {DType::Q5_1, {"Q5_1", 32, 24, false, true}, 7},
    {DType::Q8_0, {"Q8_0", 32, 34, false, true}, 8},
    {DType::Q8_1, {"Q8_1", 32, 36, false, true}, 9},
    {DType::Q2_K, {"Q2_K", 256, 84, false, true}, 10},
    {DType::Q3_K, {"Q3_K", 256, 110, false, true}, 11},
    {DType::Q4_K, {"Q4_K", 256, 144, false, true}, 12},
    {DType::Q5_K, {"Q5_K", 256, 176, false, true}, 13},
    {DType::Q6_K, {"Q6_K", 256, 210, false, true}, 14},
    {DType::Q8_K, {"Q8_K", 256, 292, false, true}, 15},
    {DType::IQ2_XXS, {"IQ2_XXS", 256, 66, false, true}, 16},
    {DType::IQ2_XS, {"IQ2_XS", 256, 74, false, true}, 17},
    {DType::IQ3_XXS, {"IQ3_XXS", 256, 98, false, true}, 18},
    {DType::IQ1_S, {"IQ1_S", 256, 50, false, true}, 19},
    {DType::IQ4_NL, {"IQ4_NL", 32, 18, false, true}, 20},
    {DType::IQ3_S, {"IQ3_S", 256, 110, false, true}, 21},
    {DType::IQ2_S, {"IQ2_S", 256, 82, false, true}, 22},
    {DType::IQ4_XS, {"IQ4_XS", 256, 136, false, true}, 23},
    {DType::IQ1_M, {"IQ1_M", 256, 56, false, true}, 29},
    {DType::TQ1_0, {"TQ1_0", 256, 54, false, true}, 34},
    {DType::TQ2_0, {"TQ2_0", 256, 66, false, true}, 35},
    {DType::MXFP4, {"MXFP4", 32, 17, false, true}, 39},
};

const Entry* findEntry(DType type) {
    for (const Entry& entry : kEntries)
        if (entry.type == type)
            return &entry;
    return nullptr;
}

} // namespace

const DTypeInfo& dtypeInfo(DType type) {
    return findEntry(type)->info;
}

std::optional<DType> dtypeFromSafetensorsName(std::string_view name) {
    for (const Entry& entry : kEntries)
        if (!entry.info.isGgmlBlock && entry.info.name == name)
            return entry.type;
    return std::nullopt;
}

std::optional<DType> dtypeFromGgmlTypeId(uint32_t id) {
    for (const Entry& entry : kEntries)
        if (entry.ggmlId >= 0 && static_cast<uint32_t>(entry.ggmlId) == id)
            return entry.type;
    return std::nullopt;
}

std::optional<uint32_t> ggmlTypeId(DType type) {
    const Entry* entry = findEntry(type);
    if (!entry || entry->ggmlId < 0)
        return std::nullopt;
    return static_cast<uint32_t>(entry->ggmlId);
}

} // namespace bitlens
