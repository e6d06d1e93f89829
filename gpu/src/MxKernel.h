// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"

namespace bitlens {

// OCP MX formats (mxfp8-e4m3, mxfp8-e5m2, mxfp6-e2m3, mxfp6-e3m2, mxfp4, mxint8) on
// shaders/mx.comp: one invocation per 32-value block.
class MxKernel final : public FormatKernel {
public:
    // nullptr for formats other than the six MX formats above.
    static std::unique_ptr<FormatKernel> create(const Format& format);

    std::string shader() const override { return shader_; }
    FormatPushConstants pushConstants(MatrixShape chunk) const override;
    uint64_t workgroups(MatrixShape chunk) const override;

private:
    explicit MxKernel(std::string shader) : shader_(std::move(shader)) {}

    std::string shader_;
};

} // namespace bitlens
