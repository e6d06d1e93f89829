// SPDX-License-Identifier: MIT
#include "core/eval/ClassifierNetwork.h"

#include "core/eval/LayerMath.h"

#include <algorithm>
#include <numeric>

namespace bitlens {
namespace {

uint64_t elementCount(const std::vector<uint64_t>& shape) {
    return std::accumulate(shape.begin(), shape.end(), uint64_t(1), std::multiplies<uint64_t>());
}

ImageShape imageShape(const std::vector<uint64_t>& shape) {
    return {shape[0], shape[1], shape[2]};
}

} // namespace

size_t omittedSoftmaxLayer(const KerasModel& model) {
    const std::vector<KerasLayer>& layers = model.layers();
    for (size_t i = layers.size(); i-- > 0;) {
        if (layers[i].kind == LayerKind::Dropout)
            continue;
        const bool appliesSoftmax =
            (layers[i].kind == LayerKind::Dense || layers[i].kind == LayerKind::Conv2D ||
             layers[i].kind == LayerKind::Activation) &&
            layers[i].activation.kind == ActivationKind::Softmax;
        return appliesSoftmax ? i : SIZE_MAX;
    }
    return SIZE_MAX;
}

ClassifierNetwork::ClassifierNetwork(const KerasModel& model,
                                     const std::vector<std::vector<size_t>>& weightIndices,
                                     const Checkpoint& checkpoint, const WeightSource& weights)
    : model_(model), softmaxLayer_(omittedSoftmaxLayer(model)) {
    const std::vector<KerasLayer>& layers = model.layers();
    weights_.resize(layers.size());
    largestActivation_ = elementCount(model.inputShape());
    for (size_t i = 0; i < layers.size(); ++i) {
        for (size_t tensor : weightIndices.at(i))
            weights_[i].push_back(weights.values(checkpoint, tensor));
        largestActivation_ = std::max(largestActivation_, elementCount(layers[i].outputShape));
    }
}

uint64_t ClassifierNetwork::inputSize() const {
    return elementCount(model_.inputShape());
}

uint64_t ClassifierNetwork::outputSize() const {
    return elementCount(model_.outputShape());
}

void ClassifierNetwork::logits(std::span<const float> input, std::span<float> out,
                               Workspace& workspace) const {
    workspace.front.resize(largestActivation_);
    workspace.back.resize(largestActivation_);
    std::copy(input.begin(), input.end(), workspace.front.begin());
    const std::vector<KerasLayer>& layers = model_.layers();
    for (size_t i = 0; i < layers.size(); ++i) {
        const KerasLayer& layer = layers[i];
        const std::vector<std::vector<float>>& w = weights_[i];
        const uint64_t inCount = elementCount(layer.inputShape);
        const uint64_t outCount = elementCount(layer.outputShape);
        const std::span<const float> in(workspace.front.data(), inCount);
        const std::span<float> result(workspace.back.data(), outCount);
        const std::span<const float> noBias;
        bool wroteResult = true;
        switch (layer.kind) {
        case LayerKind::Dense: {
            const uint64_t features = layer.inputShape.back();
            denseForward(in, inCount / features, features, w[0], layer.useBias ? w[1] : noBias,
                         layer.units, result);
            break;
        }
        case LayerKind::Conv2D:
            conv2dForward(in, imageShape(layer.inputShape), layer.window, layer.geometry, w[0],
                          layer.useBias ? w[1] : noBias, layer.units, result);
            break;
        case LayerKind::MaxPooling2D:
            maxPool2d(in, imageShape(layer.inputShape), layer.window, layer.geometry, result);
            break;
        case LayerKind::AveragePooling2D:
            averagePool2d(in, imageShape(layer.inputShape), layer.window, layer.geometry, result);
            break;
        case LayerKind::GlobalAveragePooling2D:
            globalAveragePool2d(in, imageShape(layer.inputShape), result);
            break;
        case LayerKind::BatchNormalization: {
            size_t next = 0;
            const std::span<const float> gamma = layer.scale ? w[next++] : noBias;
            const std::span<const float> beta = layer.center ? w[next++] : noBias;
            batchNormForward(in, layer.inputShape.back(), gamma, beta, w[next], w[next + 1],
                             layer.epsilon, result);
            break;
        }
        case LayerKind::Flatten:
        case LayerKind::Dropout:
        case LayerKind::Activation:
            wroteResult = false; // reshapes and element-wise work stay in place
            break;
        }
        if (wroteResult)
            std::swap(workspace.front, workspace.back);
        const bool hasActivation = layer.kind == LayerKind::Dense ||
                                   layer.kind == LayerKind::Conv2D ||
                                   layer.kind == LayerKind::Activation;
        if (hasActivation && i != softmaxLayer_)
            applyActivation(layer.activation, std::span(workspace.front.data(), outCount),
                            layer.outputShape.back());
    }
    std::copy_n(workspace.front.begin(), out.size(), out.begin());
}

} // namespace bitlens
