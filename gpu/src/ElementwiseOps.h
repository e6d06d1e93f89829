// SPDX-License-Identifier: MIT
#pragma once

#include "OpRecorder.h"
#include "core/eval/Activation.h"

namespace bitlens {

// Element-wise operators over the first `count` floats of their buffers. Each throws Error when a
// buffer is too small or count does not fit the shaders' 32-bit indices.

// applyActivation (core/eval/Activation.h) in place: softmax over each group of `channels`
// consecutive values (RowOps' softmax), every other kind element by element.
void recordActivation(OpRecorder& recorder, const Activation& activation, const GpuBuffer& values,
                      uint64_t count, uint64_t channels);

// batchNormForward over the last axis of `channels`: gamma / beta null mean scale / center off.
void recordBatchNorm(OpRecorder& recorder, uint64_t count, uint64_t channels, const GpuBuffer& x,
                     const GpuBuffer* gamma, const GpuBuffer* beta, const GpuBuffer& mean,
                     const GpuBuffer& variance, float epsilon, const GpuBuffer& y);

// swiGlu: out = silu(gate) * up.
void recordSwiGlu(OpRecorder& recorder, uint64_t count, const GpuBuffer& gate, const GpuBuffer& up,
                  const GpuBuffer& out);

// target += values (residual connections); target and values must be different buffers.
void recordAddInPlace(OpRecorder& recorder, uint64_t count, const GpuBuffer& target,
                      const GpuBuffer& values);

} // namespace bitlens
