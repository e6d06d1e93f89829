// SPDX-License-Identifier: MIT
#pragma once

#include "OpRecorder.h"
#include "core/eval/LayerMath.h"

namespace bitlens {

// The windowed operators of image classifiers over a batch of `images` channels-last images
// [height, width, channels], laid out one after another. They match conv2dForward, maxPool2d,
// averagePool2d and globalAveragePool2d (core/eval/LayerMath.h) image by image. Each throws Error
// when a buffer is too small or a size does not fit the shaders' 32-bit indices.

// kernel is Keras' [window.height, window.width, inShape.channels, filters]; bias null: none.
// y is [images, geometry.outHeight, geometry.outWidth, filters].
void recordConv2d(OpRecorder& recorder, uint64_t images, ImageShape inShape, const Window2D& window,
                  const WindowGeometry& geometry, uint64_t filters, const GpuBuffer& x,
                  const GpuBuffer& kernel, const GpuBuffer* bias, const GpuBuffer& y);

enum class PoolKind : uint8_t { Max, Average };

// y is [images, geometry.outHeight, geometry.outWidth, inShape.channels].
void recordPool2d(OpRecorder& recorder, PoolKind kind, uint64_t images, ImageShape inShape,
                  const Window2D& window, const WindowGeometry& geometry, const GpuBuffer& x,
                  const GpuBuffer& y);

// Mean over height and width: y is [images, inShape.channels].
void recordGlobalAveragePool2d(OpRecorder& recorder, uint64_t images, ImageShape inShape,
                               const GpuBuffer& x, const GpuBuffer& y);

} // namespace bitlens
