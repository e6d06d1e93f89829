// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"

namespace bitlens {

// fp8-e4m3 / fp8-e5m2 (one fp32 scale per tensor, from the measured tensor range) and their
// "-ch" variants (one scale per row) on shaders/fp8.comp: one workgroup per row.
class Float8Kernel final : public FormatKernel {
public:
    // nullptr for formats other than the four FP8 formats.
    static std::unique_ptr<FormatKernel> create(const Format& format);

    bool needsTensorRange() const override { return !perChannel_; }
    void prepare(const TensorRange& range) override;
    std::vector<std::byte> header() const override;
    std::string shader() const override { return e4m3_ ? "fp8_e4m3" : "fp8_e5m2"; }
    // TENSOR_SCALE; WHOLE_OCTETS: rows of a multiple of 8 values (every row and its codes start
    // on an octet and a word).
    std::vector<uint32_t> specialization(uint64_t rowLength) const override {
        return {!perChannel_, rowLength % 8 == 0};
    }
    FormatPushConstants pushConstants(MatrixShape chunk) const override;
    uint64_t workgroups(MatrixShape chunk) const override { return chunk.rows; }
    uint64_t inputOctetsPerWorkgroup(uint64_t rowLength) const override;
    bool sumsErrors() const override { return true; }

private:
    Float8Kernel(bool e4m3, bool perChannel) : e4m3_(e4m3), perChannel_(perChannel) {}

    bool e4m3_;
    bool perChannel_;
    float tensorScale_ = 0;
};

} // namespace bitlens
