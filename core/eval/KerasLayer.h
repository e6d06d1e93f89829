// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/Activation.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bitlens {

enum class LayerKind : uint8_t {
    Dense,
    Conv2D,
    MaxPooling2D,
    AveragePooling2D,
    GlobalAveragePooling2D,
    Flatten,
    Dropout, // identity at inference
    BatchNormalization,
    Activation, // Activation, ReLU, LeakyReLU and Softmax layers
};

// A 2-D window over [height, width]: a Conv2D kernel or a pooling window.
struct Window2D {
    uint32_t height = 1;
    uint32_t width = 1;
    uint32_t strideY = 1;
    uint32_t strideX = 1;
    bool samePadding = false; // TensorFlow "same": output ceil(in / stride), extra padding below
};

// Output size and leading padding of a window sliding over an input plane.
struct WindowGeometry {
    uint32_t outHeight = 0;
    uint32_t outWidth = 0;
    uint32_t padTop = 0;
    uint32_t padLeft = 0;
};

// Output size and padding of `window` over an input plane; throws Error naming the layer when a
// "valid" window does not fit the input.
WindowGeometry windowGeometry(uint64_t inHeight, uint64_t inWidth, const Window2D& window,
                              const std::string& layerName);

// One inference layer of a Keras model with its shapes resolved. Shapes exclude the batch axis
// and are channels-last ([height, width, channels] for images).
struct KerasLayer {
    std::string name;
    std::string className;
    LayerKind kind = LayerKind::Flatten;
    std::vector<uint64_t> inputShape;
    std::vector<uint64_t> outputShape;

    Activation activation; // Dense, Conv2D (after bias) and the activation layers
    uint32_t units = 0;    // Dense units, Conv2D filters
    bool useBias = false;
    Window2D window;         // Conv2D kernel, pooling window
    WindowGeometry geometry; // of `window` over this layer's input
    float epsilon = 1e-3f;   // BatchNormalization
    bool center = true;      // BatchNormalization has beta
    bool scale = true;       // BatchNormalization has gamma
};

// Role (the weight's Keras name without layer path and ":0") and shape of each weight a layer
// needs, in Keras' order.
struct WeightSpec {
    std::string role;
    std::vector<uint64_t> shape;
};
std::vector<WeightSpec> expectedWeights(const KerasLayer& layer);

} // namespace bitlens
