// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/KerasLayer.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bitlens {

// The inference graph of a Keras classifier, from the model_config JSON a Keras HDF5 file stores:
// {"class_name": "Sequential" | "Functional" | "Model", "config": {"layers": [...]}}. Functional
// models must be a chain (each layer's only input is the layer before it). Every layer's shapes
// are resolved from the input shape (batch_input_shape / batch_shape); the InputLayer itself is
// not kept. Immutable after construction.
class KerasModel {
public:
    // Throws Error naming the problem: "layer X of type Y is not supported", an unknown input
    // shape, a branching graph, a window larger than its input, ...
    static KerasModel fromConfig(const nlohmann::json& config);

    const std::string& name() const { return name_; }
    const std::vector<uint64_t>& inputShape() const { return inputShape_; }
    const std::vector<uint64_t>& outputShape() const;
    const std::vector<KerasLayer>& layers() const { return layers_; }

private:
    std::string name_;
    std::vector<uint64_t> inputShape_;
    std::vector<KerasLayer> layers_;
};

// Hard caps on what a model config may describe.
inline constexpr size_t kMaxKerasLayers = 4096;
inline constexpr uint64_t kMaxKerasDimension = 1u << 24;

} // namespace bitlens
