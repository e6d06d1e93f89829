// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/quant/Format.h"
#include "core/recipe/Recipe.h"

#include <functional>
#include <memory>
#include <vector>

namespace bitlens {

// Supplies the weights an evaluator runs with: each tensor's float32 values in its stored layout
// (the memory order of the file, e.g. Keras [in, out]). May be called from several threads.
class WeightSource {
public:
    virtual ~WeightSource() = default;
    virtual std::vector<float> values(const Checkpoint& checkpoint, size_t tensorIndex) const = 0;
};

// The checkpoint's own values.
class OriginalWeights final : public WeightSource {
public:
    std::vector<float> values(const Checkpoint& checkpoint, size_t tensorIndex) const override;
};

// Which format a tensor is quantized to; nullptr keeps it as stored.
using FormatChoice = std::function<std::shared_ptr<const Format>(const TensorInfo&)>;

// `format` for every tensor of two or more dimensions (kernels); biases and normalization vectors
// are kept.
FormatChoice formatForKernels(std::shared_ptr<const Format> format);

// The recipe's decision for each tensor (Recipe::resolve, fallbacks applied): nullptr where it
// keeps the tensor, else the chosen format. Safe to call from several threads.
FormatChoice formatsFromRecipe(Recipe recipe);

// Quantized-then-dequantized values for the tensors `choice` picks: the tensor is read in its
// quantization view (Checkpoint::readMatrixRows: rows = output channels), quantized and
// dequantized with the format's CPU reference, and put back into the stored layout. Throws Error
// naming the tensor when the format does not apply to its row length.
class QuantizedWeights final : public WeightSource {
public:
    explicit QuantizedWeights(FormatChoice choice) : choice_(std::move(choice)) {}
    std::vector<float> values(const Checkpoint& checkpoint, size_t tensorIndex) const override;

private:
    FormatChoice choice_;
};

} // namespace bitlens
