// SPDX-License-Identifier: MIT
#include "core/recipe/SizePlan.h"

#include "core/quant/FormatRegistry.h"

#include <numeric>

namespace bitlens {

void SizeTotals::add(uint64_t tensorParams, uint64_t before, uint64_t after, bool quantized) {
    params += tensorParams;
    bytesBefore += before;
    bytesAfter += after;
    if (quantized) {
        quantizedParams += tensorParams;
        quantizedBytes += after;
    }
}

double SizeTotals::bitsPerWeight() const {
    return params ? double(bytesAfter) * 8.0 / double(params) : 0.0;
}

double SizeTotals::quantizedBitsPerWeight() const {
    return quantizedParams ? double(quantizedBytes) * 8.0 / double(quantizedParams) : 0.0;
}

double SizeTotals::compressionRatio() const {
    return bytesAfter ? double(bytesBefore) / double(bytesAfter) : 1.0;
}

double TensorPlan::bitsPerWeight() const {
    const uint64_t count = shape.elements();
    return count ? double(bytesAfter) * 8.0 / double(count) : 0.0;
}

SizePlan planSizes(const Checkpoint& checkpoint, const Recipe& recipe) {
    std::vector<size_t> all(checkpoint.tensors().size());
    std::iota(all.begin(), all.end(), size_t(0));
    return planSizes(checkpoint, recipe, all);
}

SizePlan planSizes(const Checkpoint& checkpoint, const Recipe& recipe,
                   const std::vector<size_t>& tensorIndices) {
    SizePlan plan;
    for (size_t index : tensorIndices) {
        const TensorInfo& tensor = checkpoint.tensors().at(index);
        TensorPlan entry;
        entry.tensorIndex = index;
        entry.shape = quantizationShape(tensor);
        entry.decision = recipe.resolve(tensor);
        entry.bytesBefore = tensor.byteSize;
        entry.bytesAfter = entry.decision.keep()
                               ? tensor.byteSize
                               : makeFormat(entry.decision.target)->packedBytes(entry.shape);
        plan.totals.add(tensor.elementCount(), entry.bytesBefore, entry.bytesAfter,
                        !entry.decision.keep());
        plan.tensors.push_back(std::move(entry));
    }
    return plan;
}

} // namespace bitlens
