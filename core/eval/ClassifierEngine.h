// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/KerasModel.h"
#include "core/eval/WeightSource.h"
#include "core/io/Checkpoint.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace bitlens {

// A classifier with one set of weights loaded, ready to run batches of images.
class ClassifierRunner {
public:
    virtual ~ClassifierRunner() = default;
    // Logits (the model's output without a final softmax, as ClassifierNetwork::logits) of
    // `count` images: inputs holds count * input size values, out count * classes. Any count.
    virtual void logits(std::span<const float> inputs, uint64_t count, std::span<float> out) = 0;
};

// Where a classifier's forward pass runs: the CPU reference or a device. Engines give the same
// logits within float rounding (1e-4 relative).
class ClassifierEngine {
public:
    virtual ~ClassifierEngine() = default;
    // "cpu" or "vulkan: <device name>".
    virtual std::string name() const = 0;
    // Reads every weight of `model` through `weights` (weightIndices[i]: the checkpoint tensors of
    // model.layers()[i], findLayerWeights order) once. `model` and `checkpoint` must outlive the
    // runner.
    virtual std::unique_ptr<ClassifierRunner>
    load(const KerasModel& model, const std::vector<std::vector<size_t>>& weightIndices,
         const Checkpoint& checkpoint, const WeightSource& weights) const = 0;
};

// The CPU reference (ClassifierNetwork) on every core.
class CpuClassifierEngine final : public ClassifierEngine {
public:
    std::string name() const override { return "cpu"; }
    std::unique_ptr<ClassifierRunner> load(const KerasModel& model,
                                           const std::vector<std::vector<size_t>>& weightIndices,
                                           const Checkpoint& checkpoint,
                                           const WeightSource& weights) const override;
};

} // namespace bitlens
