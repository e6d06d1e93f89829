// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"

namespace bitlens {

// nf4, fp4, nf4-dq and fp4-dq on shaders/normal_float.comp: one invocation per 64-value block
// (normal_float_lanes.comp: eight).
// The -dq variants first scan the tensor for every block's absmax, double-quantize those on the
// host with the reference's own doubleQuantizeAbsmax (a short sequential pass over one value per
// block), and hand each chunk its blocks' decoded absmax.
class NormalFloatKernel final : public FormatKernel {
public:
    // nullptr for formats other than the four NormalFloat formats.
    static std::unique_ptr<FormatKernel> create(const Format& format);

    std::optional<TensorScan> scan(uint64_t rowLength) const override;
    void finishScan(std::span<const std::byte> outputs, std::span<const std::byte> state) override;
    std::vector<std::byte> header() const override { return header_; }
    uint64_t rowBytes(uint64_t rowLength) const override;
    std::span<const std::byte> chunkData(uint64_t firstRow, MatrixShape chunk) const override;
    bool sumsErrors() const override { return true; }
    std::string shader() const override { return "normal_float"; }
    bool hasLaneVariant(uint64_t) const override { return true; } // normal_float_lanes.comp
    std::vector<uint32_t> specialization(uint64_t) const override {
        return {fp4_, doubleQuant_, false};
    }
    FormatPushConstants pushConstants(MatrixShape chunk) const override;
    uint64_t workgroups(MatrixShape chunk) const override;
    uint64_t inputOctetsPerWorkgroup(uint64_t rowLength) const override;

private:
    NormalFloatKernel(bool fp4, bool doubleQuant) : fp4_(fp4), doubleQuant_(doubleQuant) {}

    bool fp4_;
    bool doubleQuant_;
    std::vector<std::byte> header_;
    std::vector<float> decodedAbsmax_; // a'_k of every block (-dq)
};

} // namespace bitlens
