// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>

namespace bitlens {

enum class ActivationKind : uint8_t { Linear, Relu, Sigmoid, Tanh, Softmax, Gelu, Swish };

// An element-wise function (or softmax over the last axis) as Keras defines it.
// Relu is Keras' general ReLU: x >= threshold ? min(x, maxValue) : negativeSlope * (x - threshold);
// LeakyReLU is Relu with a slope, plain relu has slope 0, no cap and threshold 0.
struct Activation {
    ActivationKind kind = ActivationKind::Linear;
    float negativeSlope = 0;
    float maxValue = std::numeric_limits<float>::infinity();
    float threshold = 0;

    static Activation leakyRelu(float slope) { return {ActivationKind::Relu, slope}; }
};

// The activation a Keras `activation` string names ("relu", "softmax", "sigmoid", "tanh",
// "linear", "leaky_relu", "gelu", "swish"/"silu"); throws Error naming the layer otherwise.
Activation activationFromKerasName(const std::string& name, const std::string& layerName);

// Applies `activation` in place. Softmax runs over each group of `channels` consecutive values
// (the last axis); the other kinds ignore `channels`.
void applyActivation(const Activation& activation, std::span<float> values, uint64_t channels);

} // namespace bitlens
