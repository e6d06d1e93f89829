// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"
#include "core/quant/GgmlFormat.h"

namespace bitlens {

// ggml's 32-value blocks Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 on shaders/ggml_small.comp: one
// invocation per block, bytes laid out exactly as llama.cpp's block structs.
class GgmlKernel final : public FormatKernel {
public:
    // nullptr when the format is not one of the ggml types above.
    static std::unique_ptr<FormatKernel> create(const Format& format);

    std::string shader() const override { return shader_; }
    FormatPushConstants pushConstants(MatrixShape chunk) const override;
    uint64_t workgroups(MatrixShape chunk) const override;

private:
    explicit GgmlKernel(std::string shader) : shader_(std::move(shader)) {}

    std::string shader_;
};

} // namespace bitlens
