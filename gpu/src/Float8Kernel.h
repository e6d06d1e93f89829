// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"

namespace bitlens {

// fp8-e4m3-ch and fp8-e5m2-ch on shaders/fp8.comp: one workgroup per row. The per-tensor
// variants have no kernel (their one scale needs the whole tensor before any row).
class Float8Kernel final : public FormatKernel {
public:
    static std::unique_ptr<FormatKernel> create(const Format& format);

    std::string shader() const override { return shader_; }
    FormatPushConstants pushConstants(MatrixShape chunk) const override;
    uint64_t workgroups(MatrixShape chunk) const override { return chunk.rows; }

private:
    explicit Float8Kernel(std::string shader) : shader_(std::move(shader)) {}

    std::string shader_;
};

} // namespace bitlens
