// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"
#include "core/quant/IntegerFormat.h"

namespace bitlens {

// int{B}-{gG|ch|tensor}-{sym|asym}[-fp32][-mse] on shaders/int_quant.comp: one invocation per
// group or row. Per tensor, the scale comes from the measured tensor range (integerScaleForRange,
// the reference's own function); "-tensor-...-mse" has no kernel, because its search sums the
// error of the whole tensor in value order.
class IntegerKernel final : public FormatKernel {
public:
    // nullptr when the format is not an integer format this kernel runs.
    static std::unique_ptr<FormatKernel> create(const Format& format);

    bool needsTensorRange() const override { return perTensor(); }
    std::vector<std::byte> prepare(const TensorRange& range) override;
    std::string shader() const override;
    std::vector<uint32_t> specialization() const override;
    FormatPushConstants pushConstants(MatrixShape chunk) const override;
    uint64_t workgroups(MatrixShape chunk) const override;

private:
    explicit IntegerKernel(const IntegerFormat& format) : format_(format) {}
    bool perTensor() const { return format_.params().granularity == IntegerGranularity::Tensor; }
    uint64_t unitLength(uint64_t rowLength) const;

    const IntegerFormat& format_;
    IntegerScale tensorScale_;
};

} // namespace bitlens
