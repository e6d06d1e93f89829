// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/KerasLayer.h"
#include "core/io/Checkpoint.h"

#include <string>
#include <vector>

namespace bitlens {

// Where a Keras weight tensor belongs: its layer group (the first path component after an
// optional "model_weights/") and its role (the last component without ":0"):
// "dense/dense/kernel:0" -> {"dense", "kernel"}.
struct KerasWeightName {
    std::string layer;
    std::string role;
};
KerasWeightName parseKerasWeightName(const std::string& tensorName);

// Checkpoint tensor indices of the weights `layer` needs, in expectedWeights() order. Throws
// Error naming the layer and weight when one is missing, ambiguous, not float or of the wrong
// shape.
std::vector<size_t> findLayerWeights(const Checkpoint& checkpoint, const KerasLayer& layer);

} // namespace bitlens
