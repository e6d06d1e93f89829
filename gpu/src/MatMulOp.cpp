// SPDX-License-Identifier: MIT
#include "MatMulOp.h"

namespace bitlens {
namespace {

constexpr uint64_t kBlock = 64; // BLOCK in matmul.comp: output rows and columns per workgroup

struct MatMulParameters {
    uint32_t rows;
    uint32_t inFeatures;
    uint32_t outFeatures;
    uint32_t hasBias;
};

} // namespace

void recordMatMul(OpRecorder& recorder, const MatMulShape& shape, const GpuBuffer& x,
                  const GpuBuffer& weight, const GpuBuffer* bias, const GpuBuffer& y) {
    OpRecorder::requireFloats(x, shape.rows * shape.inFeatures, "matmul input");
    OpRecorder::requireFloats(weight, shape.inFeatures * shape.outFeatures, "matmul weight");
    OpRecorder::requireFloats(y, shape.rows * shape.outFeatures, "matmul output");
    if (bias)
        OpRecorder::requireFloats(*bias, shape.outFeatures, "matmul bias");
    const MatMulParameters parameters{
        OpRecorder::index32(shape.rows, "matmul rows"),
        OpRecorder::index32(shape.inFeatures, "matmul input features"),
        OpRecorder::index32(shape.outFeatures, "matmul output features"), bias ? 1u : 0u};
    OpRecorder::index32(shape.rows * shape.inFeatures, "matmul input size");
    OpRecorder::index32(shape.rows * shape.outFeatures, "matmul output size");
    OpRecorder::index32(shape.inFeatures * shape.outFeatures, "matmul weight size");
    const uint64_t groups = groupsFor(shape.rows, kBlock) * groupsFor(shape.outFeatures, kBlock);
    recorder.dispatch(shape.layout == WeightLayout::InOut ? "matmul_in_out" : "matmul_out_in",
                      {&x, &weight, bias ? bias : &weight, &y}, parameters, groups);
}

} // namespace bitlens
