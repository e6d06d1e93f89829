// SPDX-License-Identifier: MIT
#include "core/eval/Activation.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>

namespace bitlens {

Activation activationFromKerasName(const std::string& name, const std::string& layerName) {
    if (name == "linear")
        return {};
    if (name == "relu")
        return {ActivationKind::Relu};
    if (name == "leaky_relu")
        return Activation::leakyRelu(0.2f); // keras.activations.leaky_relu default slope
    if (name == "sigmoid")
        return {ActivationKind::Sigmoid};
    if (name == "tanh")
        return {ActivationKind::Tanh};
    if (name == "softmax")
        return {ActivationKind::Softmax};
    if (name == "gelu")
        return {ActivationKind::Gelu};
    if (name == "swish" || name == "silu")
        return {ActivationKind::Swish};
    throw Error("layer " + layerName + ": activation '" + name + "' is not supported");
}

namespace {

void softmaxInPlace(std::span<float> values) {
    const float largest = *std::max_element(values.begin(), values.end());
    float sum = 0;
    for (float& value : values) {
        value = std::exp(value - largest);
        sum += value;
    }
    for (float& value : values)
        value /= sum;
}

} // namespace

void applyActivation(const Activation& activation, std::span<float> values, uint64_t channels) {
    switch (activation.kind) {
    case ActivationKind::Linear:
        return;
    case ActivationKind::Relu:
        for (float& x : values)
            x = x >= activation.threshold ? std::min(x, activation.maxValue)
                                          : activation.negativeSlope * (x - activation.threshold);
        return;
    case ActivationKind::Sigmoid:
        for (float& x : values)
            x = 1.0f / (1.0f + std::exp(-x));
        return;
    case ActivationKind::Tanh:
        for (float& x : values)
            x = std::tanh(x);
        return;
    case ActivationKind::Gelu:
        for (float& x : values)
            x = 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
        return;
    case ActivationKind::Swish:
        for (float& x : values)
            x = x / (1.0f + std::exp(-x));
        return;
    case ActivationKind::Softmax:
        if (channels == 0)
            return;
        for (uint64_t begin = 0; begin + channels <= values.size(); begin += channels)
            softmaxInPlace(values.subspan(begin, channels));
        return;
    }
}

} // namespace bitlens
