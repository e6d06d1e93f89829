// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"

namespace bitlens {

// NVFP4 on shaders/nvfp4.comp: the host derives the fp32 global scale from the measured tensor
// range, then one invocation per 16-value block.
class Nvfp4Kernel final : public FormatKernel {
public:
    // nullptr for formats other than "nvfp4".
    static std::unique_ptr<FormatKernel> create(const Format& format);

    bool needsTensorRange() const override { return true; }
    void prepare(const TensorRange& range) override;
    std::vector<std::byte> header() const override;
    bool sumsErrors() const override { return true; }
    std::string shader() const override { return "nvfp4"; }
    FormatPushConstants pushConstants(MatrixShape chunk) const override;
    uint64_t workgroups(MatrixShape chunk) const override;
    uint64_t inputOctetsPerWorkgroup(uint64_t rowLength) const override;

private:
    Nvfp4Kernel() = default;

    float globalScale_ = 0;
};

} // namespace bitlens
