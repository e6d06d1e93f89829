// SPDX-License-Identifier: MIT
#pragma once

#include "OpRecorder.h"

namespace bitlens {

// How a weight matrix W of a matrix multiply is stored.
enum class WeightLayout : uint8_t {
    OutIn, // [outFeatures, inFeatures]: linear layers (PyTorch / GGUF), TransformerMath's weight
    InOut  // [inFeatures, outFeatures]: Keras Dense kernels, LayerMath's kernel
};

struct MatMulShape {
    uint64_t rows = 0;
    uint64_t inFeatures = 0;
    uint64_t outFeatures = 0;
    WeightLayout layout = WeightLayout::OutIn;
};

// Records Y[r, o] = sum_k X[r, k] * W(o, k) (+ bias[o] when bias is not null), with shared-memory
// tiling: x is [rows, inFeatures], y [rows, outFeatures]. Matches denseForward / linearForward
// within float rounding of the sums. Throws Error when a buffer is too small.
void recordMatMul(OpRecorder& recorder, const MatMulShape& shape, const GpuBuffer& x,
                  const GpuBuffer& weight, const GpuBuffer* bias, const GpuBuffer& y);

} // namespace bitlens
