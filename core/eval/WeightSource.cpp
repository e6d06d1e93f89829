// SPDX-License-Identifier: MIT
#include "core/eval/WeightSource.h"

#include "core/quant/FormatRegistry.h"
#include "core/util/Error.h"

#include <cmath>
#include <map>
#include <mutex>

namespace bitlens {

std::vector<float> OriginalWeights::values(const Checkpoint& checkpoint, size_t tensorIndex) const {
    const TensorInfo& tensor = checkpoint.tensors().at(tensorIndex);
    std::vector<float> values(tensor.elementCount());
    checkpoint.readFloats(tensorIndex, 0, values.size(), values.data());
    return values;
}

FormatChoice formatForKernels(std::shared_ptr<const Format> format) {
    return [format = std::move(format)](const TensorInfo& tensor) {
        return tensor.shape.size() >= 2 ? format : nullptr;
    };
}

FormatChoice formatsFromRecipe(Recipe recipe) {
    struct Formats {
        std::mutex mutex;
        std::map<std::string, std::shared_ptr<const Format>> byId;
    };
    return [recipe = std::move(recipe),
            formats = std::make_shared<Formats>()](const TensorInfo& tensor) {
        const RecipeDecision decision = recipe.resolve(tensor);
        if (decision.keep())
            return std::shared_ptr<const Format>();
        const std::lock_guard lock(formats->mutex);
        std::shared_ptr<const Format>& format = formats->byId[decision.target];
        if (!format)
            format = makeFormat(decision.target);
        return format;
    };
}

std::vector<float> QuantizedWeights::values(const Checkpoint& checkpoint,
                                            size_t tensorIndex) const {
    const TensorInfo& tensor = checkpoint.tensors().at(tensorIndex);
    const std::shared_ptr<const Format> format = choice_(tensor);
    if (!format)
        return OriginalWeights().values(checkpoint, tensorIndex);
    const MatrixShape shape = quantizationShape(tensor);
    if (const std::string reason = format->unsupportedReason(shape.rowLength); !reason.empty())
        throw Error("tensor " + tensor.name + ": format " + format->id() + ": " + reason);
    std::vector<float> matrix(shape.elements());
    checkpoint.readMatrixRows(tensorIndex, 0, shape.rows, matrix.data());
    for (float value : matrix)
        if (!std::isfinite(value))
            throw Error("tensor " + tensor.name +
                        " holds a non-finite value; it cannot be "
                        "quantized");
    std::vector<std::byte> packed(format->packedBytes(shape));
    format->quantize(matrix, shape, packed);
    std::vector<float> dequantized(shape.elements());
    format->dequantize(packed, shape, dequantized);
    if (tensor.channelAxis == ChannelAxis::First || tensor.shape.size() < 2)
        return dequantized;
    // Channels last: matrix row r (output channel) position c is stored at c * rows + r.
    std::vector<float> stored(dequantized.size());
    for (uint64_t r = 0; r < shape.rows; ++r)
        for (uint64_t c = 0; c < shape.rowLength; ++c)
            stored[c * shape.rows + r] = dequantized[r * shape.rowLength + c];
    return stored;
}

} // namespace bitlens
