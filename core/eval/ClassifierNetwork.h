// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/KerasModel.h"
#include "core/eval/WeightSource.h"
#include "core/io/Checkpoint.h"

#include <span>
#include <vector>

namespace bitlens {

// The layer whose softmax logits leave out: the last layer that is not a Dropout, when it applies
// softmax (Dense, Conv2D or Activation with a softmax activation); SIZE_MAX otherwise.
size_t omittedSoftmaxLayer(const KerasModel& model);

// A KerasModel with its weights loaded as float32: the CPU forward pass. Immutable after
// construction, so one network serves many threads, each with its own Workspace.
class ClassifierNetwork {
public:
    // weightIndices[i] are the checkpoint tensors of model.layers()[i] (findLayerWeights order);
    // every tensor is read through `weights` once, here. `model` must outlive the network.
    ClassifierNetwork(const KerasModel& model,
                      const std::vector<std::vector<size_t>>& weightIndices,
                      const Checkpoint& checkpoint, const WeightSource& weights);

    uint64_t inputSize() const;
    uint64_t outputSize() const;
    // True when the model's last layer applies softmax; logits() then stops just before it.
    bool endsInSoftmax() const { return softmaxLayer_ != SIZE_MAX; }

    // Per-thread buffers for intermediate activations.
    struct Workspace {
        std::vector<float> front;
        std::vector<float> back;
    };

    // The model's output for one image without a final softmax (logits), in `out`
    // (outputSize() values). `input` holds inputSize() values.
    void logits(std::span<const float> input, std::span<float> out, Workspace& workspace) const;

private:
    const KerasModel& model_;
    std::vector<std::vector<std::vector<float>>> weights_; // per layer, per weight
    size_t softmaxLayer_ = SIZE_MAX;                       // layer whose softmax is left out
    uint64_t largestActivation_ = 0;
};

} // namespace bitlens
