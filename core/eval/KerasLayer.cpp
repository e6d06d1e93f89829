// SPDX-License-Identifier: MIT
#include "core/eval/KerasLayer.h"

#include "core/util/Error.h"

namespace bitlens {

WindowGeometry windowGeometry(uint64_t inHeight, uint64_t inWidth, const Window2D& window,
                              const std::string& layerName) {
    auto axis = [&](uint64_t in, uint32_t size, uint32_t stride, uint32_t& out, uint32_t& pad) {
        if (window.samePadding) {
            out = uint32_t((in + stride - 1) / stride);
            const uint64_t needed = uint64_t(out - 1) * stride + size;
            pad = needed > in ? uint32_t((needed - in) / 2) : 0;
            return;
        }
        if (in < size)
            throw Error("layer " + layerName + ": window of " + std::to_string(size) +
                        " does not fit the input of " + std::to_string(in) +
                        " with \"valid\" padding");
        out = uint32_t((in - size) / stride + 1);
        pad = 0;
    };
    WindowGeometry geometry;
    axis(inHeight, window.height, window.strideY, geometry.outHeight, geometry.padTop);
    axis(inWidth, window.width, window.strideX, geometry.outWidth, geometry.padLeft);
    return geometry;
}

std::vector<WeightSpec> expectedWeights(const KerasLayer& layer) {
    std::vector<WeightSpec> weights;
    const uint64_t channels = layer.inputShape.empty() ? 0 : layer.inputShape.back();
    switch (layer.kind) {
    case LayerKind::Dense:
        weights.push_back({"kernel", {channels, layer.units}});
        if (layer.useBias)
            weights.push_back({"bias", {layer.units}});
        break;
    case LayerKind::Conv2D:
        weights.push_back(
            {"kernel", {layer.window.height, layer.window.width, channels, layer.units}});
        if (layer.useBias)
            weights.push_back({"bias", {layer.units}});
        break;
    case LayerKind::BatchNormalization:
        if (layer.scale)
            weights.push_back({"gamma", {channels}});
        if (layer.center)
            weights.push_back({"beta", {channels}});
        weights.push_back({"moving_mean", {channels}});
        weights.push_back({"moving_variance", {channels}});
        break;
    default:
        break;
    }
    return weights;
}

} // namespace bitlens
