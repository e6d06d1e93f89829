// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"
#include "core/quant/IntegerFormat.h"

namespace bitlens {

// int{B}-{gG|ch|tensor}-{sym|asym}[-fp32][-mse] on shaders/int_quant.comp: one invocation per
// group or row (per tensor: per piece of 256 values of a row). Per tensor, the scale comes from the
// measured tensor range (integerScaleForRange, the reference's own function); "-tensor-...-mse"
// then scans the tensor once, one invocation per candidate scale summing its squared error over
// every value in order, as the reference does. Groups of 32 to 256 values (a multiple of 32)
// and rows, without the MSE search, also have shaders/int_quant_lanes.comp: eight invocations
// per group, a workgroup per row.
class IntegerKernel final : public FormatKernel {
public:
    // nullptr when the format is not an integer format.
    static std::unique_ptr<FormatKernel> create(const Format& format);

    bool needsTensorRange() const override { return perTensor(); }
    void prepare(const TensorRange& range) override;
    std::optional<TensorScan> scan(uint64_t rowLength) const override;
    void finishScan(std::span<const std::byte> outputs, std::span<const std::byte> state) override;
    std::vector<std::byte> header() const override;
    bool sumsErrors() const override { return true; }
    std::string shader() const override;
    std::vector<uint32_t> specialization(uint64_t rowLength) const override;
    bool hasLaneVariant(uint64_t rowLength) const override;
    uint64_t laneWorkgroups(MatrixShape chunk) const override;
    FormatPushConstants pushConstants(MatrixShape chunk) const override;
    uint64_t workgroups(MatrixShape chunk) const override;
    uint64_t inputOctetsPerWorkgroup(uint64_t rowLength) const override;

private:
    explicit IntegerKernel(const IntegerFormat& format) : format_(format) {}
    bool perTensor() const { return format_.params().granularity == IntegerGranularity::Tensor; }
    bool tensorSearch() const { return perTensor() && format_.params().mseSearch; }
    uint64_t unitLength(uint64_t rowLength) const;
    // Invocations of a chunk: one per group or row, per tensor one per piece of a row.
    uint64_t units(MatrixShape chunk) const;
    std::vector<uint32_t> specialization(uint64_t rowLength, bool searchPass) const;

    const IntegerFormat& format_;
    IntegerScale tensorScale_;
    std::array<IntegerScale, kIntegerSearchCandidates> candidates_{};
};

} // namespace bitlens
