// SPDX-License-Identifier: MIT
#pragma once

#include "OpRecorder.h"

namespace bitlens {

// Per-row reductions, one workgroup per row of consecutive values. Each throws Error when a
// buffer is too small or a size does not fit the shaders' 32-bit indices.

// softmaxRows in place over `rows` rows of `width` values.
void recordSoftmaxRows(OpRecorder& recorder, const GpuBuffer& values, uint64_t rows,
                       uint64_t width);

// rmsNorm over `rows` rows of `dim` values; y may be x.
void recordRmsNorm(OpRecorder& recorder, const GpuBuffer& x, uint64_t rows, uint64_t dim,
                   const GpuBuffer& weight, float epsilon, const GpuBuffer& y);

} // namespace bitlens
