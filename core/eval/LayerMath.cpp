// SPDX-License-Identifier: MIT
#include "core/eval/LayerMath.h"

#include "core/util/VectorMath.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bitlens {

void denseForward(std::span<const float> in, uint64_t positions, uint64_t inFeatures,
                  std::span<const float> kernel, std::span<const float> bias, uint64_t units,
                  std::span<float> out) {
    for (uint64_t p = 0; p < positions; ++p) {
        float* row = out.data() + p * units;
        if (bias.empty())
            std::fill(row, row + units, 0.0f);
        else
            std::copy(bias.begin(), bias.begin() + ptrdiff_t(units), row);
        const float* x = in.data() + p * inFeatures;
        for (uint64_t i = 0; i < inFeatures; ++i) {
            if (x[i] != 0.0f) // exact: adding 0 * w changes nothing for finite weights
                addScaled(row, x[i], kernel.data() + i * units, units);
        }
    }
}

void conv2dForward(std::span<const float> in, ImageShape inShape, const Window2D& window,
                   const WindowGeometry& geometry, std::span<const float> kernel,
                   std::span<const float> bias, uint64_t filters, std::span<float> out) {
    const uint64_t channels = inShape.channels;
    for (uint64_t oy = 0; oy < geometry.outHeight; ++oy) {
        for (uint64_t ox = 0; ox < geometry.outWidth; ++ox) {
            float* cell = out.data() + (oy * geometry.outWidth + ox) * filters;
            if (bias.empty())
                std::fill(cell, cell + filters, 0.0f);
            else
                std::copy(bias.begin(), bias.begin() + ptrdiff_t(filters), cell);
            for (uint64_t ky = 0; ky < window.height; ++ky) {
                const int64_t iy = int64_t(oy * window.strideY + ky) - geometry.padTop;
                if (iy < 0 || iy >= int64_t(inShape.height))
                    continue;
                for (uint64_t kx = 0; kx < window.width; ++kx) {
                    const int64_t ix = int64_t(ox * window.strideX + kx) - geometry.padLeft;
                    if (ix < 0 || ix >= int64_t(inShape.width))
                        continue;
                    const float* pixel =
                        in.data() + (uint64_t(iy) * inShape.width + uint64_t(ix)) * channels;
                    const float* taps =
                        kernel.data() + (ky * window.width + kx) * channels * filters;
                    for (uint64_t c = 0; c < channels; ++c)
                        addScaled(cell, pixel[c], taps + c * filters, filters);
                }
            }
        }
    }
}

namespace {

// For each output cell: combines the channel vectors of every real (unpadded) input cell of its
// window into the output cell (the first cell is copied, later ones merged by combine(kept, new)),
// then finish(outputCellValues, realCellCount).
template <typename Combine, typename Finish>
void poolWindows(std::span<const float> in, ImageShape inShape, const Window2D& window,
                 const WindowGeometry& geometry, std::span<float> out, Combine combine,
                 Finish finish) {
    const uint64_t channels = inShape.channels;
    for (uint64_t oy = 0; oy < geometry.outHeight; ++oy) {
        for (uint64_t ox = 0; ox < geometry.outWidth; ++ox) {
            float* target = out.data() + (oy * geometry.outWidth + ox) * channels;
            uint64_t cells = 0;
            for (uint64_t ky = 0; ky < window.height; ++ky) {
                const int64_t iy = int64_t(oy * window.strideY + ky) - geometry.padTop;
                if (iy < 0 || iy >= int64_t(inShape.height))
                    continue;
                for (uint64_t kx = 0; kx < window.width; ++kx) {
                    const int64_t ix = int64_t(ox * window.strideX + kx) - geometry.padLeft;
                    if (ix < 0 || ix >= int64_t(inShape.width))
                        continue;
                    const float* source =
                        in.data() + (uint64_t(iy) * inShape.width + uint64_t(ix)) * channels;
                    for (uint64_t c = 0; c < channels; ++c)
                        target[c] = cells == 0 ? source[c] : combine(target[c], source[c]);
                    ++cells;
                }
            }
            finish(std::span<float>(target, channels), cells);
        }
    }
}

} // namespace

void maxPool2d(std::span<const float> in, ImageShape inShape, const Window2D& window,
               const WindowGeometry& geometry, std::span<float> out) {
    poolWindows(
        in, inShape, window, geometry, out,
        [](float kept, float value) { return std::max(kept, value); },
        [](std::span<float> cell, uint64_t cells) {
            if (cells == 0) // a window entirely in padding (cannot happen with TF geometry)
                std::fill(cell.begin(), cell.end(), -std::numeric_limits<float>::infinity());
        });
}

void averagePool2d(std::span<const float> in, ImageShape inShape, const Window2D& window,
                   const WindowGeometry& geometry, std::span<float> out) {
    poolWindows(
        in, inShape, window, geometry, out, [](float kept, float value) { return kept + value; },
        [](std::span<float> cell, uint64_t cells) {
            for (float& value : cell)
                value = cells ? value / float(cells) : 0.0f;
        });
}

void globalAveragePool2d(std::span<const float> in, ImageShape inShape, std::span<float> out) {
    const uint64_t channels = inShape.channels;
    const uint64_t cells = inShape.height * inShape.width;
    std::fill_n(out.data(), channels, 0.0f);
    for (uint64_t cell = 0; cell < cells; ++cell)
        for (uint64_t c = 0; c < channels; ++c)
            out[c] += in[cell * channels + c];
    for (uint64_t c = 0; c < channels; ++c)
        out[c] /= float(cells);
}

void batchNormForward(std::span<const float> in, uint64_t channels, std::span<const float> gamma,
                      std::span<const float> beta, std::span<const float> mean,
                      std::span<const float> variance, float epsilon, std::span<float> out) {
    for (uint64_t c = 0; c < channels; ++c) {
        const float factor = (gamma.empty() ? 1.0f : gamma[c]) / std::sqrt(variance[c] + epsilon);
        const float shift = (beta.empty() ? 0.0f : beta[c]) - mean[c] * factor;
        for (uint64_t i = c; i < in.size(); i += channels)
            out[i] = in[i] * factor + shift;
    }
}

} // namespace bitlens
