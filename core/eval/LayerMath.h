// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/KerasLayer.h"

#include <cstdint>
#include <span>

namespace bitlens {

// Float32 CPU reference of the classifier operators, on one image at a time. Layouts are Keras'
// (channels last); GPU operators must match these. Every function writes all of `out`.

// Plane of an image tensor [height, width, channels].
struct ImageShape {
    uint64_t height = 0;
    uint64_t width = 0;
    uint64_t channels = 0;
    uint64_t size() const { return height * width * channels; }
};

// out[p, u] = bias[u] + sum_i in[p, i] * kernel[i, u] for each of `positions` rows; kernel is
// Keras' [inFeatures, units]; bias is empty or holds `units` values.
void denseForward(std::span<const float> in, uint64_t positions, uint64_t inFeatures,
                  std::span<const float> kernel, std::span<const float> bias, uint64_t units,
                  std::span<float> out);

// Convolution with a Keras kernel [kh, kw, inChannels, filters]; zero padding as `geometry`
// says (TensorFlow "same": extra padding at the bottom/right). out is
// [geometry.outHeight, geometry.outWidth, filters].
void conv2dForward(std::span<const float> in, ImageShape inShape, const Window2D& window,
                   const WindowGeometry& geometry, std::span<const float> kernel,
                   std::span<const float> bias, uint64_t filters, std::span<float> out);

// Max / average over each window per channel. Padded cells are skipped (TensorFlow): a max
// ignores them, an average divides by the number of real cells.
void maxPool2d(std::span<const float> in, ImageShape inShape, const Window2D& window,
               const WindowGeometry& geometry, std::span<float> out);
void averagePool2d(std::span<const float> in, ImageShape inShape, const Window2D& window,
                   const WindowGeometry& geometry, std::span<float> out);

// Mean over height and width per channel: out has inShape.channels values.
void globalAveragePool2d(std::span<const float> in, ImageShape inShape, std::span<float> out);

// Inference batch normalization over the last axis, as Keras computes it:
// factor = gamma / sqrt(variance + epsilon); out = in * factor + (beta - mean * factor).
// gamma / beta may be empty (scale / center off: 1 / 0).
void batchNormForward(std::span<const float> in, uint64_t channels, std::span<const float> gamma,
                      std::span<const float> beta, std::span<const float> mean,
                      std::span<const float> variance, float epsilon, std::span<float> out);

} // namespace bitlens
