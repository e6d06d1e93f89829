// SPDX-License-Identifier: MIT
#include "RowOps.h"

#include "core/util/Error.h"

namespace bitlens {
namespace {

struct SoftmaxParameters {
    uint32_t rows;
    uint32_t width;
};

struct RmsNormParameters {
    uint32_t rows;
    uint32_t dim;
    float epsilon;
};

void requireRows(uint64_t rows, uint64_t width, const char* what) {
    if (width == 0)
        throw Error(std::string(what) + " over rows of no values");
    OpRecorder::index32(rows * width, what);
}

} // namespace

void recordSoftmaxRows(OpRecorder& recorder, const GpuBuffer& values, uint64_t rows,
                       uint64_t width) {
    requireRows(rows, width, "softmax");
    OpRecorder::requireFloats(values, rows * width, "softmax");
    const SoftmaxParameters parameters{uint32_t(rows), uint32_t(width)};
    recorder.dispatch("softmax", {&values}, parameters, rows);
}

void recordRmsNorm(OpRecorder& recorder, const GpuBuffer& x, uint64_t rows, uint64_t dim,
                   const GpuBuffer& weight, float epsilon, const GpuBuffer& y) {
    requireRows(rows, dim, "RMSNorm");
    OpRecorder::requireFloats(x, rows * dim, "RMSNorm input");
    OpRecorder::requireFloats(y, rows * dim, "RMSNorm output");
    OpRecorder::requireFloats(weight, dim, "RMSNorm weight");
    const RmsNormParameters parameters{uint32_t(rows), uint32_t(dim), epsilon};
    recorder.dispatch("rmsnorm", {&x, &weight, &y}, parameters, rows);
}

} // namespace bitlens
