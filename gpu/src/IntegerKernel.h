// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"

#include "core/quant/IntegerFormat.h"

namespace bitlens {

// int{B}-{gG|ch}-{sym|asym}[-fp32][-mse] on shaders/int_quant.comp: one invocation per group
// or row. Per-tensor scales ("-tensor") have no kernel: their layout is not row by row.
class IntegerKernel final : public FormatKernel {
public:
    // nullptr when the format is not an integer format with a per-group or per-row scale.
    static std::unique_ptr<FormatKernel> create(const Format& format);

    std::string shader() const override;
    std::vector<uint32_t> specialization() const override;
    FormatPushConstants pushConstants(MatrixShape chunk) const override;
    uint64_t workgroups(MatrixShape chunk) const override;

private:
    IntegerKernel(const IntegerFormat& format) : format_(format) {}
    uint64_t unitLength(uint64_t rowLength) const;

    const IntegerFormat& format_;
};

} // namespace bitlens
