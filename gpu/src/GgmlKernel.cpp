// SPDX-License-Identifier: MIT
#include "GgmlKernel.h"

#include "BlockKernel.h"
#include "core/quant/GgmlFormat.h"

namespace bitlens {
namespace {

struct GgmlVariant {
    DType dtype;
    const char* shader;
    uint64_t blockLength;
    uint64_t blocksPerWorkgroup; // 64 invocations: one per block, or one per K sub-block
    bool laneVariant;            // "<shader>_lanes" (ggml_small_lanes.comp) exists
};
constexpr GgmlVariant kVariants[] = {
    {DType::Q4_0, "ggml_q4_0", 32, 64, true},   {DType::Q4_1, "ggml_q4_1", 32, 64, true},
    {DType::Q5_0, "ggml_q5_0", 32, 64, true},   {DType::Q5_1, "ggml_q5_1", 32, 64, true},
    {DType::Q8_0, "ggml_q8_0", 32, 64, true},   {DType::IQ4_NL, "ggml_iq4_nl", 32, 64, false},
    {DType::MXFP4, "ggml_mxfp4", 32, 64, true}, {DType::Q2_K, "ggml_q2_k", 256, 4, false},
    {DType::Q3_K, "ggml_q3_k", 256, 4, false},  {DType::Q4_K, "ggml_q4_k", 256, 8, false},
    {DType::Q5_K, "ggml_q5_k", 256, 8, false},  {DType::Q6_K, "ggml_q6_k", 256, 4, false},
};

} // namespace

std::unique_ptr<FormatKernel> GgmlKernel::create(const Format& format) {
    const auto* ggml = dynamic_cast<const GgmlFormat*>(&format);
    if (!ggml)
        return nullptr;
    for (const GgmlVariant& variant : kVariants)
        if (variant.dtype == ggml->dtype())
            return std::make_unique<BlockKernel>(variant.shader, variant.blockLength,
                                                 variant.blocksPerWorkgroup,
                                                 /*inputWindows=*/true, variant.laneVariant);
    return nullptr;
}

} // namespace bitlens
