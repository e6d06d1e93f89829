// SPDX-License-Identifier: MIT
#pragma once

#include "core/backend/QuantBackend.h"
#include "core/io/Checkpoint.h"

#include <QMetaType>
#include <memory>
#include <string>
#include <vector>

namespace bitlens::app {

// One tensor to quantize in one format on the studio's worker.
struct QuantRequest {
    std::shared_ptr<const Checkpoint> checkpoint;
    int tensorIndex = 0;
    std::string formatId;

    bool sameTensorAndFormat(const QuantRequest& other) const {
        return checkpoint == other.checkpoint && tensorIndex == other.tensorIndex &&
               formatId == other.formatId;
    }
};

// A finished quantization: complete and immutable once made, shared by the cache and the views.
struct QuantResult {
    std::shared_ptr<const Checkpoint> checkpoint;
    int tensorIndex = 0;
    std::string backendName;     // the backend that quantized it ("cpu", "vulkan: ...")
    std::vector<float> original; // the tensor's values in the quantization view
    QuantizedTensor quantized;   // packed bytes, dequantized values and metrics

    const std::string& formatId() const { return quantized.formatId; }
    // Bytes of memory the result holds (what the cache budget counts).
    uint64_t memoryBytes() const {
        return original.size() * sizeof(float) + quantized.dequantized.size() * sizeof(float) +
               quantized.packed.size();
    }
};

using SharedQuantResult = std::shared_ptr<const QuantResult>;

// Independent request queues of the worker, served in this order of priority. A lane holds at
// most the requests of its latest submit.
enum class QuantLane { Selection, Compare, Batch };

} // namespace bitlens::app

Q_DECLARE_METATYPE(bitlens::app::SharedQuantResult)
Q_DECLARE_METATYPE(bitlens::app::QuantLane)
Q_DECLARE_METATYPE(bitlens::ErrorMetrics)
