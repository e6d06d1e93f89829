// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/recipe/Recipe.h"

#include <cstdint>
#include <vector>

namespace bitlens {

// Sizes summed over tensors. Kept (and refused) tensors count with their stored bytes.
struct SizeTotals {
    uint64_t params = 0;
    uint64_t bytesBefore = 0; // as stored in the checkpoint
    uint64_t bytesAfter = 0;  // packed bytes of quantized tensors + stored bytes of the others
    uint64_t quantizedParams = 0;
    uint64_t quantizedBytes = 0; // packed bytes of the quantized tensors only

    void add(uint64_t tensorParams, uint64_t before, uint64_t after, bool quantized);
    // Average bits per weight over all tensors (kept ones at their stored width).
    double bitsPerWeight() const;
    // Average bits per weight over the quantized tensors only (0 when none is quantized).
    double quantizedBitsPerWeight() const;
    // bytesBefore / bytesAfter (1 when empty).
    double compressionRatio() const;
};

// One tensor's decision and sizes, known before anything is quantized.
struct TensorPlan {
    size_t tensorIndex = 0; // into Checkpoint::tensors()
    MatrixShape shape;      // the quantization view
    RecipeDecision decision;
    uint64_t bytesBefore = 0;
    uint64_t bytesAfter = 0; // Format::packedBytes(shape), or the stored bytes when kept
    double bitsPerWeight() const;
};

struct SizePlan {
    std::vector<TensorPlan> tensors;
    SizeTotals totals;
};

// The plan for every tensor of the checkpoint, in checkpoint order.
SizePlan planSizes(const Checkpoint& checkpoint, const Recipe& recipe);
// The plan for the given tensor indices, in that order.
SizePlan planSizes(const Checkpoint& checkpoint, const Recipe& recipe,
                   const std::vector<size_t>& tensorIndices);

} // namespace bitlens
